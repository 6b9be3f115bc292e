#include "OneShotRuntime.hpp"

#include "CommandLine.hpp"
#include "duet/net/EngineErrors.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <unistd.h>

namespace duet::app::oneshot {
namespace {

volatile std::sig_atomic_t g_stop = 0;
int g_wakeFd = -1;

extern "C" void onStop(int)
{
    g_stop = 1;
    const char byte = 's';
    if (g_wakeFd >= 0) (void)!::write(g_wakeFd, &byte, 1);
}

} // namespace

Runtime::Runtime()
{
    m_pipeOk = ::pipe2(m_pipe, O_CLOEXEC | O_NONBLOCK) == 0;
    m_terminal = ::isatty(STDERR_FILENO) == 1;
    if (!m_pipeOk) return;
    g_wakeFd = m_pipe[1];
    struct sigaction action {};
    action.sa_handler = onStop;
    sigemptyset(&action.sa_mask);
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
}

Runtime::~Runtime()
{
    m_engine.reset(); // closes connections politely before the pipe goes away
    g_wakeFd = -1;
    if (!m_pipeOk) return;
    ::close(m_pipe[0]);
    ::close(m_pipe[1]);
}

void Runtime::start(net::EngineConfig config)
{
    const int wakeFd = m_pipe[1];
    m_engine = std::make_unique<net::Engine>(std::move(config), [wakeFd] {
        const char byte = 'e';
        (void)!::write(wakeFd, &byte, 1);
    });
}

bool Runtime::stopRequested() const
{
    return g_stop != 0;
}

std::vector<Event> Runtime::wait(Clock::time_point deadline)
{
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    const int timeoutMs = static_cast<int>(std::clamp<std::int64_t>(left.count(), 0, 1000));
    pollfd fds[2] = {{m_pipe[0], POLLIN, 0}, {STDIN_FILENO, POLLIN, 0}};
    answerFromInput();
    const nfds_t count = m_current && !m_inputClosed ? 2 : 1;
    if (::poll(fds, count, timeoutMs) > 0) {
        char buffer[256];
        while (::read(m_pipe[0], buffer, sizeof buffer) > 0) {
        }
        if (count == 2 && fds[1].revents != 0) readAnswers();
    }
    answerFromInput();
    return m_engine ? m_engine->drainEvents() : std::vector<Event>{};
}

void Runtime::ask(std::string question, Answer answer)
{
    m_questions.push_back({std::move(question), std::move(answer)});
    if (!m_current) showNextQuestion();
}

void Runtime::showNextQuestion()
{
    while (!m_current && !m_questions.empty()) {
        m_current = std::move(m_questions.front());
        m_questions.pop_front();
        if (m_inputClosed) {
            say(m_current->text + " no (no input)");
            Answer answer = std::move(m_current->answer);
            m_current.reset();
            answer(false);
            continue;
        }
        if (m_progressShown && m_terminal) std::cerr << '\n';
        m_progressShown = false;
        std::cerr << m_current->text << ' ' << std::flush;
    }
}

void Runtime::readAnswers()
{
    char buffer[512];
    const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
    if (n <= 0) {
        if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
        m_inputClosed = true;
        m_input.clear();
        if (m_current) {
            Answer answer = std::move(m_current->answer);
            m_current.reset();
            std::cerr << "no (end of input)\n";
            answer(false);
        }
        showNextQuestion();
        return;
    }
    // Bounded: a reply is one short line; anything longer is not a yes.
    m_input.append(buffer, static_cast<std::size_t>(n));
    if (m_input.size() > 4096) m_input.erase(0, m_input.size() - 4096);
}

void Runtime::answerFromInput()
{
    // Replies typed (or piped) ahead of their question wait in m_input for it.
    std::size_t newline = m_input.find('\n');
    while (newline != std::string::npos && m_current) {
        std::string line = m_input.substr(0, newline);
        m_input.erase(0, newline + 1);
        while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
            line.pop_back();
        const bool yes = line == "y" || line == "Y" || line == "yes" || line == "YES" || line == "Yes";
        Answer answer = std::move(m_current->answer);
        m_current.reset();
        answer(yes);
        showNextQuestion();
        newline = m_input.find('\n');
    }
}

void Runtime::progress(const std::string& text, bool force)
{
    if (m_current) return; // never draw over a question
    const Clock::time_point now = Clock::now();
    if (m_terminal) {
        if (!force && now - m_lastProgress < std::chrono::milliseconds(100)) return;
        m_lastProgress = now;
        std::cerr << "\r\033[K" << text << std::flush;
        m_progressShown = true;
        return;
    }
    if (!force && now - m_lastProgress < std::chrono::seconds(1)) return;
    m_lastProgress = now;
    std::cerr << text << '\n' << std::flush;
}

void Runtime::say(const std::string& text)
{
    if (m_progressShown && m_terminal) std::cerr << '\n';
    m_progressShown = false;
    std::cerr << text << '\n' << std::flush;
}

std::optional<int> Runtime::startupExitCode(const std::string& reason)
{
    const std::optional<net::StartupFailure> failure = net::classifyStartupError(reason);
    if (!failure) return std::nullopt;
    switch (*failure) {
    case net::StartupFailure::CannotListen:
        return kExitCannotListen;
    case net::StartupFailure::ProfileUnusable:
        return kExitProfileUnusable;
    case net::StartupFailure::Internal:
        return kExitInternal;
    }
    return kExitInternal;
}

} // namespace duet::app::oneshot
