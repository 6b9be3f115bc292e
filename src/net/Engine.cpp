#include "duet/net/Engine.hpp"

#include "duet/core/MessageQueue.hpp"
#include "duet/net/NetLoop.hpp"
#include "duet/net/Waker.hpp"

#include <thread>

namespace duet::net {

struct Engine::Impl {
    MessageQueue<Command> commands;
    MessageQueue<Event> events;
    Waker waker;
    std::thread thread;
};

Engine::Engine(EngineConfig config, std::function<void()> wakeFrontEnd) : m_impl(std::make_unique<Impl>())
{
    Impl* impl = m_impl.get();
    impl->thread = std::thread([impl, config = std::move(config), wake = std::move(wakeFrontEnd)]() mutable {
        NetLoop loop(std::move(config), impl->commands, impl->events, impl->waker, std::move(wake));
        loop.run();
    });
}

Engine::~Engine()
{
    post(command::Shutdown{});
    m_impl->thread.join();
}

void Engine::post(Command command)
{
    m_impl->commands.push(std::move(command));
    m_impl->waker.wake();
}

std::vector<Event> Engine::drainEvents()
{
    return m_impl->events.drain();
}

std::vector<Event> Engine::waitEvents(std::chrono::milliseconds timeout)
{
    return m_impl->events.waitAndDrain(timeout);
}

} // namespace duet::net
