#include "Forwarder.hpp"

#include "PacketEdit.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <poll.h>
#include <unistd.h>

namespace duet::netlab {
namespace {

constexpr std::uint32_t kSlotsPerChunk = 1024;
constexpr std::uint32_t kMaxSlots = 64 * kSlotsPerChunk;
// Per wake-up limits keep both halves of the loop responsive when a flood never lets the input drain.
constexpr std::size_t kReadBatch = 64;
constexpr std::size_t kDeliverBatch = 256;
constexpr std::int64_t kMaxSleepNs = 1'000'000'000;
constexpr std::int64_t kMaxLatenessNs = 200'000;

} // namespace

std::int64_t monotonicNowNs()
{
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<std::int64_t>(now.tv_sec) * kNanosPerSecond + now.tv_nsec;
}

PacketPool::PacketPool(std::size_t slotBytes) : m_slotBytes(slotBytes) {}

std::uint32_t PacketPool::acquire()
{
    if (m_free.empty()) {
        const auto firstNew = static_cast<std::uint32_t>(m_chunks.size() * kSlotsPerChunk);
        if (firstNew >= kMaxSlots) return kNoSlot;
        m_chunks.push_back(std::make_unique<std::uint8_t[]>(m_slotBytes * kSlotsPerChunk));
        for (std::uint32_t slot = firstNew + kSlotsPerChunk; slot > firstNew; --slot)
            m_free.push_back(slot - 1);
    }
    const std::uint32_t slot = m_free.back();
    m_free.pop_back();
    return slot;
}

std::uint8_t* PacketPool::data(std::uint32_t slot)
{
    return m_chunks[slot / kSlotsPerChunk].get() +
           static_cast<std::size_t>(slot % kSlotsPerChunk) * m_slotBytes;
}

Forwarder::Forwarder(const ForwarderSetup& setup, LinkDirection& link, DirectionCounters& counters)
    : m_setup(setup), m_link(link), m_counters(counters), m_pool(setup.slotBytes), m_scratch(setup.slotBytes)
{
}

void Forwarder::admit(std::uint32_t slot, std::size_t length, std::int64_t nowNs)
{
    using C = DirectionCounters;
    const std::int64_t sinceStart = nowNs - m_setup.startNs;
    std::uint8_t* packet = m_pool.data(slot);
    if (m_setup.natRole == NatRole::Outbound &&
        m_setup.nat->translateOutbound(packet, length, sinceStart) == NatVerdict::Rewritten)
        C::add(m_counters.natRewritten);

    const Admission admission = m_link.admit(sinceStart, length);
    if (admission.duplicated && admission.fate != Fate::Blackout && admission.fate != Fate::Lost)
        C::add(m_counters.duplicated);
    C::add(m_counters.queueDrops, static_cast<std::uint64_t>(admission.queueDrops));
    if (admission.fate == Fate::Blackout)
        C::add(m_counters.blackout);
    else if (admission.fate == Fate::Lost)
        C::add(m_counters.lost);

    for (int i = 0; i < admission.departures; ++i) {
        std::uint32_t copySlot = slot;
        if (i > 0) {
            copySlot = m_pool.acquire();
            if (copySlot == PacketPool::kNoSlot) {
                C::add(m_counters.overflow);
                continue;
            }
            std::memcpy(m_pool.data(copySlot), packet, length);
        }
        const Departure& departure = admission.departure[i];
        if (departure.reordered) C::add(m_counters.reordered);
        m_pending.push(Pending{m_setup.startNs + departure.dueNs, m_order++, copySlot,
                               static_cast<std::uint32_t>(length), departure});
    }
    if (admission.departures == 0) m_pool.release(slot);
}

std::size_t Forwarder::readAvailable()
{
    using C = DirectionCounters;
    std::size_t packets = 0;
    while (packets < kReadBatch) {
        const std::uint32_t slot = m_pool.acquire();
        std::uint8_t* buffer = slot == PacketPool::kNoSlot ? m_scratch.data() : m_pool.data(slot);
        const ssize_t got = ::read(m_setup.inputFd, buffer, m_pool.slotBytes());
        if (got <= 0) {
            if (got < 0 && errno != EAGAIN && errno != EINTR)
                m_deviceFailed = true; // e.g. the namespace and its device were deleted under us
            if (slot != PacketPool::kNoSlot) m_pool.release(slot);
            break;
        }
        ++packets;
        C::add(m_counters.received);
        C::add(m_counters.receivedBytes, static_cast<std::uint64_t>(got));
        if (slot == PacketPool::kNoSlot) {
            C::add(m_counters.overflow);
            continue;
        }
        admit(slot, static_cast<std::size_t>(got), monotonicNowNs());
    }
    return packets;
}

void Forwarder::deliver(const Pending& packet)
{
    using C = DirectionCounters;
    std::uint8_t* data = m_pool.data(packet.slot);
    const std::int64_t sinceStart = packet.dueNs - m_setup.startNs;
    if (m_link.isDownAt(sinceStart)) {
        C::add(m_counters.blackout);
        return;
    }
    if (packet.departure.corrupt && corruptPayload(data, packet.length, packet.departure.corruptDraw,
                                                   m_link.config().corruptMode == CorruptMode::FixChecksum))
        C::add(m_counters.corrupted);
    if (m_setup.natRole == NatRole::Inbound) {
        const NatVerdict verdict = m_setup.nat->translateInbound(data, packet.length, sinceStart);
        if (verdict == NatVerdict::DropStale) {
            C::add(m_counters.natStale);
            return;
        }
        if (verdict == NatVerdict::Rewritten) C::add(m_counters.natRewritten);
    }
    if (::write(m_setup.outputFd, data, packet.length) != static_cast<ssize_t>(packet.length)) {
        C::add(m_counters.writeErrors);
        return;
    }
    C::add(m_counters.forwarded);
    C::add(m_counters.forwardedBytes, packet.length);
}

void Forwarder::deliverDue(std::int64_t nowNs)
{
    for (std::size_t done = 0; done < kDeliverBatch && !m_pending.empty(); ++done) {
        if (m_pending.top().dueNs > nowNs) return;
        const Pending packet = m_pending.top();
        m_pending.pop();
        deliver(packet);
        m_pool.release(packet.slot);
    }
}

bool Forwarder::run(const std::atomic<bool>& stop)
{
    pollfd fds[2] = {{m_setup.inputFd, POLLIN, 0}, {m_setup.wakeFd, POLLIN, 0}};
    while (!stop.load(std::memory_order_relaxed)) {
        if (m_deviceFailed) return false;
        deliverDue(monotonicNowNs() + m_wakeLatenessNs);
        if (readAvailable() == kReadBatch)
            continue; // more input is likely waiting; deliver what fell due meanwhile, then read on
        const std::int64_t now = monotonicNowNs();
        deliverDue(now + m_wakeLatenessNs);
        std::int64_t sleepNs = kMaxSleepNs;
        if (!m_pending.empty())
            sleepNs =
                std::clamp<std::int64_t>(m_pending.top().dueNs - m_wakeLatenessNs - now, 0, kMaxSleepNs);
        if (sleepNs == 0) continue;
        const timespec timeout{static_cast<time_t>(sleepNs / kNanosPerSecond),
                               static_cast<long>(sleepNs % kNanosPerSecond)};
        const int ready = ::ppoll(fds, 2, &timeout, nullptr);
        if (ready < 0 && errno != EINTR) return false;
        if (ready == 0 && !m_pending.empty()) learnWakeLateness(monotonicNowNs() - (now + sleepNs));
        if (fds[1].revents & POLLIN) return true;
        if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) return false;
    }
    return true;
}

void Forwarder::learnWakeLateness(std::int64_t observedNs)
{
    // Timer wake-ups on a VM arrive tens of microseconds late, which would add to every emulated delay.
    // Waking early by the mean lateness (and sending what is due by the time we aimed at) centres the
    // departure times on their due times; a single packet may leave up to that much early.
    const std::int64_t observed = std::clamp<std::int64_t>(observedNs, 0, kMaxLatenessNs);
    m_wakeLatenessNs += (observed - m_wakeLatenessNs) / 8;
    m_counters.wakeLatenessNs.store(static_cast<std::uint64_t>(m_wakeLatenessNs), std::memory_order_relaxed);
}

} // namespace duet::netlab
