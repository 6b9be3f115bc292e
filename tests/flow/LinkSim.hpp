#pragma once
// A discrete-event simulation of bulk flows over an emulated path, for the flow library's tests.
// Forward: random loss (past the bottleneck, or before it), a drop-tail bottleneck (rate, queue in bytes)
// shared by every flow, delay, jitter, duplication and scheduled blackouts. Backward (acks): delay, the
// same jitter, and loss. Seeded: reproducible.
#include "duet/flow/BulkReceiver.hpp"
#include "duet/flow/BulkSender.hpp"

#include <memory>
#include <random>

namespace duet::flow::sim {

using Nanos = std::chrono::nanoseconds;

struct PathConfig {
    double rateBytesPerSecond = 12.5e6;
    Nanos oneWayDelay = std::chrono::milliseconds(10);
    Nanos jitter{0};             // each datagram's delay varies uniformly by +- this much
    bool jitterReorders = false; // false: like duet-linkemu's default, a datagram never overtakes another
    std::uint64_t queueBytes = 256 * 1024;
    double loss = 0; // forward, per datagram
    // Where forward loss strikes: past the bottleneck (a lossy last hop; the lost datagram used the link)
    // or before it (duet-linkemu's order: a lost datagram never reaches the queue, as on a lossy first hop).
    bool lossBeforeBottleneck = false;
    double duplicate = 0; // forward, per datagram
    double ackLoss = 0;
    Nanos blackoutStart{0}; // relative to the start; forward and backward drop everything inside
    Nanos blackoutLength{0};
    std::uint64_t seed = 1;
    Nanos measureQueueAfter = std::chrono::seconds(1); // start of the p99 queue-delay window
    std::size_t maxSlice = 0; // larger data slices are dropped (a path MTU); 0: any size passes
};

struct FlowResult {
    bool complete = false;          // every message arrived intact and in order
    Nanos finishedAfter{0};         // when the last message was handed out
    std::uint64_t messageBytes = 0; // application bytes delivered
    BulkSenderStats sender;
    std::uint64_t receiverDuplicates = 0;
    std::uint64_t refusals = 0;
    // Application bytes delivered per 100 ms slot since the start, for rate-over-time checks.
    std::vector<std::uint64_t> deliveredPerSlot;
};

struct SimResult {
    std::vector<FlowResult> flows;
    Nanos maxQueueDelay{0}; // the bottleneck's worst standing queue, as time to drain it
    Nanos p99QueueDelay{0}; // 99th percentile of the queueing delay after measureQueueAfter
    std::uint64_t bottleneckDrops = 0;
};

struct FlowPlan {
    std::uint64_t messages = 64;
    std::size_t messageSize = 256 * 1024;
    Nanos startAfter{0};
    std::vector<std::uint32_t> largerSlices; // the sender's path MTU search (BulkSenderConfig)
};

// Runs every flow to completion or until `limit` simulated time has passed.
SimResult run(const PathConfig& path, const std::vector<FlowPlan>& flows, Nanos limit);

// Goodput of a flow between two slot indices (100 ms each), in bytes per second.
double goodput(const FlowResult& flow, std::size_t fromSlot, std::size_t toSlot);

} // namespace duet::flow::sim
