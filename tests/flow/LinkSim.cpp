#include "LinkSim.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <queue>

namespace duet::flow::sim {
namespace {

using namespace std::chrono_literals;

constexpr std::uint64_t kDatagramOverhead = 80; // IP, UDP, ENet, frame, envelope, offset and tag
constexpr Nanos kSlot = 100ms;
constexpr std::uint64_t kMaxIterations = 50'000'000;

std::uint8_t contentByte(std::size_t flow, std::uint64_t message, std::size_t i)
{
    return static_cast<std::uint8_t>(message * 131 + i * 7 + flow * 29 + (i >> 8));
}

struct InFlight {
    MonoTime at;
    std::uint64_t order = 0; // keeps equal times in send order
    std::size_t flow = 0;
    bool isAck = false;
    std::uint64_t packetNumber = 0;
    std::uint64_t offset = 0;
    wire::Bytes data;
    wire::BulkAck ack;
    bool operator>(const InFlight& other) const
    {
        return at != other.at ? at > other.at : order > other.order;
    }
};

struct Flow {
    Flow(MonoTime now, std::uint32_t seed, FlowPlan plan)
        : sender(now, {8u << 20, seed, plan.largerSlices}), plan(plan)
    {
    }
    BulkSender sender;
    BulkReceiver receiver;
    FlowPlan plan;
    std::uint64_t queued = 0;
    std::uint64_t received = 0;
    FlowResult result;
    bool started = false;
    bool corrupt = false;
};

class Simulation {
public:
    Simulation(const PathConfig& path, MonoTime start) : m_path(path), m_start(start), m_random(path.seed) {}

    SimResult run(const std::vector<FlowPlan>& plans, Nanos limit);

private:
    bool inBlackout(MonoTime now) const
    {
        const Nanos since = now - m_start;
        return m_path.blackoutLength.count() > 0 && since >= m_path.blackoutStart &&
               since < m_path.blackoutStart + m_path.blackoutLength;
    }
    bool chance(double probability) { return probability > 0 && m_uniform(m_random) < probability; }
    // Uniform in +- the path's one-way jitter.
    Nanos jitterDraw()
    {
        if (m_path.jitter.count() == 0) return Nanos{0};
        return Nanos(static_cast<std::int64_t>((2 * m_uniform(m_random) - 1) *
                                               static_cast<double>(m_path.jitter.count())));
    }
    void sendData(std::size_t flow, const OutgoingSlice& slice, MonoTime now);
    void sendAck(std::size_t flow, wire::BulkAck ack, MonoTime now);
    void serviceFlow(std::size_t index, MonoTime now);
    void deliver(InFlight& datagram, MonoTime now);

    PathConfig m_path;
    MonoTime m_start;
    std::mt19937_64 m_random;
    std::uniform_real_distribution<double> m_uniform{0.0, 1.0};
    std::priority_queue<InFlight, std::vector<InFlight>, std::greater<>> m_events;
    std::uint64_t m_order = 0;
    MonoTime m_bottleneckFree{};
    MonoTime m_lastDataDue{};
    MonoTime m_lastAckDue{};
    std::vector<Nanos> m_queueDelays;
    bool m_trace = std::getenv("FLOW_SIM_TRACE") != nullptr; // a per-100 ms state line on stderr
    MonoTime m_nextTrace{};
    std::vector<std::unique_ptr<Flow>> m_flows;
    SimResult m_result;
};

void Simulation::sendData(std::size_t flow, const OutgoingSlice& slice, MonoTime now)
{
    if (inBlackout(now)) return;
    if (m_path.lossBeforeBottleneck && chance(m_path.loss)) return;
    const std::uint64_t size = slice.data.size() + kDatagramOverhead;
    const MonoTime queueStart = std::max(now, m_bottleneckFree);
    const double backlog =
        std::chrono::duration<double>(queueStart - now).count() * m_path.rateBytesPerSecond;
    if (backlog + static_cast<double>(size) > static_cast<double>(m_path.queueBytes)) {
        ++m_result.bottleneckDrops;
        return;
    }
    m_result.maxQueueDelay = std::max(m_result.maxQueueDelay, Nanos(queueStart - now));
    if (now - m_start >= m_path.measureQueueAfter) m_queueDelays.push_back(queueStart - now);
    m_bottleneckFree = queueStart + std::chrono::duration_cast<Nanos>(std::chrono::duration<double>(
                                        static_cast<double>(size) / m_path.rateBytesPerSecond));
    if (!m_path.lossBeforeBottleneck && chance(m_path.loss)) return;
    if (m_path.maxSlice != 0 && slice.data.size() > m_path.maxSlice) return; // a router past the bottleneck
    const int copies = chance(m_path.duplicate) ? 2 : 1;
    for (int i = 0; i < copies; ++i) {
        InFlight datagram;
        datagram.at = m_bottleneckFree + std::max(Nanos{0}, m_path.oneWayDelay + jitterDraw());
        if (!m_path.jitterReorders) {
            datagram.at = std::max(datagram.at, m_lastDataDue);
            m_lastDataDue = datagram.at;
        }
        datagram.order = m_order++;
        datagram.flow = flow;
        datagram.packetNumber = slice.packetNumber;
        datagram.offset = slice.streamOffset;
        datagram.data.assign(slice.data.begin(), slice.data.end());
        m_events.push(std::move(datagram));
    }
}

void Simulation::sendAck(std::size_t flow, wire::BulkAck ack, MonoTime now)
{
    if (inBlackout(now) || chance(m_path.ackLoss)) return;
    InFlight datagram;
    // The return direction has the same jitter as the forward one, as in duet-linkemu.
    datagram.at = now + std::max(Nanos{0}, m_path.oneWayDelay + jitterDraw());
    if (!m_path.jitterReorders) {
        datagram.at = std::max(datagram.at, m_lastAckDue);
        m_lastAckDue = datagram.at;
    }
    datagram.order = m_order++;
    datagram.flow = flow;
    datagram.isAck = true;
    datagram.ack = std::move(ack);
    m_events.push(std::move(datagram));
}

void Simulation::deliver(InFlight& datagram, MonoTime now)
{
    Flow& flow = *m_flows[datagram.flow];
    if (datagram.isAck) {
        flow.sender.onAck(datagram.ack, now);
        return;
    }
    const wire::BulkDataView view{datagram.offset, datagram.data};
    if (flow.receiver.onData(datagram.packetNumber, view, now) == BulkReceiver::Verdict::Refused)
        ++flow.result.refusals;
}

void Simulation::serviceFlow(std::size_t index, MonoTime now)
{
    Flow& flow = *m_flows[index];
    if (!flow.started) {
        if (now - m_start < flow.plan.startAfter) return;
        flow.started = true;
    }
    while (flow.queued < flow.plan.messages && flow.sender.canQueue(flow.plan.messageSize)) {
        wire::Bytes message(flow.plan.messageSize);
        for (std::size_t i = 0; i < message.size(); ++i)
            message[i] = contentByte(index, flow.queued, i);
        flow.sender.queue(message);
        ++flow.queued;
    }
    for (int burst = 0; burst < 100000; ++burst) {
        const std::optional<OutgoingSlice> slice = flow.sender.poll(now);
        if (!slice) break;
        sendData(index, *slice, now);
    }
    for (wire::Bytes& message : flow.receiver.takeMessages()) {
        bool intact = message.size() == flow.plan.messageSize;
        for (std::size_t i = 0; intact && i < message.size(); ++i)
            intact = message[i] == contentByte(index, flow.received, i);
        if (!intact) flow.corrupt = true;
        ++flow.received;
        flow.result.messageBytes += message.size();
        const auto slot = static_cast<std::size_t>((now - m_start) / kSlot);
        if (flow.result.deliveredPerSlot.size() <= slot) flow.result.deliveredPerSlot.resize(slot + 1);
        flow.result.deliveredPerSlot[slot] += message.size();
        if (flow.received == flow.plan.messages) flow.result.finishedAfter = now - m_start;
    }
    if (std::optional<wire::BulkAck> ack = flow.receiver.pollAck(now)) sendAck(index, std::move(*ack), now);
}

SimResult Simulation::run(const std::vector<FlowPlan>& plans, Nanos limit)
{
    for (std::size_t i = 0; i < plans.size(); ++i)
        m_flows.push_back(
            std::make_unique<Flow>(m_start, static_cast<std::uint32_t>(m_path.seed + i * 7), plans[i]));
    MonoTime now = m_start;
    for (std::uint64_t iteration = 0; iteration < kMaxIterations && now - m_start < limit; ++iteration) {
        while (!m_events.empty() && m_events.top().at <= now) {
            InFlight datagram = m_events.top();
            m_events.pop();
            deliver(datagram, now);
        }
        bool allDone = true;
        std::optional<MonoTime> next;
        const auto earliest = [&next](MonoTime t) { next = next ? std::min(*next, t) : t; };
        for (std::size_t i = 0; i < m_flows.size(); ++i) {
            serviceFlow(i, now);
            Flow& flow = *m_flows[i];
            allDone = allDone && flow.received == flow.plan.messages;
            if (!flow.started) earliest(m_start + flow.plan.startAfter);
            if (const auto wake = flow.sender.nextWake(now)) earliest(*wake);
            if (const auto ackAt = flow.receiver.nextAckTime()) earliest(*ackAt);
        }
        if (allDone) break;
        if (m_trace && now >= m_nextTrace) {
            m_nextTrace = now + 100ms;
            const BulkSender& sender = m_flows.front()->sender;
            const Bbr& bbr = sender.congestion();
            std::fprintf(
                stderr,
                "t=%.1f mode=%d bw=%.0f minrtt=%.1fms cwnd=%llu inflight=%llu pace=%.0f queue=%.1fms "
                "bound=%llu lost=%llu spurious=%llu\n",
                std::chrono::duration<double>(now - m_start).count(), static_cast<int>(bbr.mode()),
                bbr.bottleneckBandwidth(), std::chrono::duration<double, std::milli>(bbr.minRtt()).count(),
                static_cast<unsigned long long>(bbr.cwnd()),
                static_cast<unsigned long long>(sender.bytesInFlight()), bbr.pacingRate(),
                std::chrono::duration<double, std::milli>(std::max(m_bottleneckFree, now) - now).count(),
                static_cast<unsigned long long>(bbr.lossBound()),
                static_cast<unsigned long long>(sender.stats().packetsLost),
                static_cast<unsigned long long>(sender.stats().spuriousLosses));
        }
        if (!m_events.empty()) earliest(m_events.top().at);
        if (!next) break; // nothing can ever happen again: a stall, reported as incomplete
        now = std::max(*next, now + std::chrono::microseconds(1));
    }
    for (auto& flow : m_flows) {
        flow->result.complete = flow->received == flow->plan.messages && !flow->corrupt;
        flow->result.sender = flow->sender.stats();
        flow->result.receiverDuplicates = flow->receiver.duplicates();
        m_result.flows.push_back(flow->result);
    }
    if (!m_queueDelays.empty()) {
        const std::size_t index = m_queueDelays.size() * 99 / 100;
        std::nth_element(m_queueDelays.begin(), m_queueDelays.begin() + static_cast<std::ptrdiff_t>(index),
                         m_queueDelays.end());
        m_result.p99QueueDelay = m_queueDelays[index];
    }
    return m_result;
}

} // namespace

SimResult run(const PathConfig& path, const std::vector<FlowPlan>& flows, Nanos limit)
{
    Simulation simulation(path, MonoTime{std::chrono::hours(1000)});
    return simulation.run(flows, limit);
}

double goodput(const FlowResult& flow, std::size_t fromSlot, std::size_t toSlot)
{
    std::uint64_t bytes = 0;
    for (std::size_t i = fromSlot; i < toSlot && i < flow.deliveredPerSlot.size(); ++i)
        bytes += flow.deliveredPerSlot[i];
    const double seconds =
        std::chrono::duration<double>(kSlot * static_cast<std::int64_t>(toSlot - fromSlot)).count();
    return seconds > 0 ? static_cast<double>(bytes) / seconds : 0;
}

} // namespace duet::flow::sim
