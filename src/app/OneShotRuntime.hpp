#pragma once
// What `duet send` and `duet receive` share: the engine woken through a pipe, Ctrl-C and SIGTERM as a
// polite stop request, yes/no questions on the terminal (one at a time, answered from stdin), the
// progress line on stderr, and the engine's startup errors as exit codes.
// Thread: the main thread only (the engine's wake callback only writes a byte to the pipe).
#include "Options.hpp"
#include "duet/core/EngineApi.hpp"
#include "duet/net/Engine.hpp"

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace duet::app::oneshot {

class Runtime {
public:
    using Clock = std::chrono::steady_clock;
    using Answer = std::function<void(bool yes)>;

    Runtime();
    ~Runtime();
    Runtime(const Runtime&) = delete;
    Runtime& operator=(const Runtime&) = delete;

    bool ok() const { return m_pipeOk; }
    // Starts the engine; its events come back through wait().
    void start(net::EngineConfig config);
    net::Engine& engine() { return *m_engine; }
    // Waits until an event, a terminal answer, a stop request or `deadline`; returns the events.
    // Answers run their callbacks from inside this call.
    std::vector<Event> wait(Clock::time_point deadline);
    bool stopRequested() const;
    // Asks `question` on stderr; `answer` runs with the reply (no on end of input). Queued if one is open.
    void ask(std::string question, Answer answer);
    bool asking() const { return m_current.has_value(); }
    // Progress on stderr: redrawn in place on a terminal, otherwise a line at most once a second.
    void progress(const std::string& text, bool force = false);
    // A message on stderr, on its own line even while a progress line is shown.
    void say(const std::string& text);
    // The exit code for a startup error (an Error before Listening), or nullopt for other errors.
    static std::optional<int> startupExitCode(const std::string& reason);

private:
    struct Question {
        std::string text;
        Answer answer;
    };
    void showNextQuestion();
    void readAnswers();
    void answerFromInput();

    int m_pipe[2] = {-1, -1};
    bool m_pipeOk = false;
    std::unique_ptr<net::Engine> m_engine;
    std::deque<Question> m_questions;
    std::optional<Question> m_current;
    std::string m_input;
    bool m_inputClosed = false;
    bool m_terminal = false;
    bool m_progressShown = false;
    Clock::time_point m_lastProgress{};
};

} // namespace duet::app::oneshot
