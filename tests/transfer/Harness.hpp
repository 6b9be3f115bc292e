#pragma once
// Two TransferManagers joined by an in-process fake link. Control messages cross it encoded with the real
// wire codec (so every message the machines emit must be valid on the wire); chunks cross as plaintext.
// Each direction has a control queue and a data queue, like ENet channels 0 and 2. pump() drives both
// sides in bounded steps, advancing a FakeClock, until nothing moves.
#include "Fakes.hpp"
#include "duet/transfer/TransferManager.hpp"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace duet::transfer::test {

// Accepts relative '/'-separated names without empty, "." or ".." components; the real rules live in
// the storage library and are injected the same way.
std::optional<std::string> simpleValidator(const std::vector<wire::OfferEntry>& entries);

// Deterministic stand-in for the engine's random ids.
class IdSequence {
public:
    explicit IdSequence(std::uint64_t seed) : m_state(seed) {}
    std::uint64_t next();

private:
    std::uint64_t m_state;
};

struct Peer {
    FakeSource source;
    FakeSink sink;
    TestHashFactory hashes;
    std::shared_ptr<IdSequence> ids;
    TransferConfig config;
    std::unique_ptr<TransferManager> manager;
    std::vector<Action> events; // everything but messages and chunks, in order

    template <typename T>
    std::vector<T> eventsOf() const
    {
        std::vector<T> out;
        for (const Action& a : events)
            if (const T* e = std::get_if<T>(&a)) out.push_back(*e);
        return out;
    }
    std::size_t suspiciousDrops() const;
};

class Link {
public:
    struct Item {
        bool isChunk = false;
        wire::Bytes message; // encoded AppMessage
        std::uint64_t fileId = 0;
        std::uint64_t chunkIndex = 0;
        wire::Bytes data;
    };
    enum class Order { ControlFirst, DataFirst };

    Link(TransferConfig configA = {}, TransferConfig configB = {});
    // The managers hold references into the peers: a Link never moves.
    Link(const Link&) = delete;
    Link& operator=(const Link&) = delete;

    FakeClock clock;
    Peer a; // usually the sender
    Peer b; // usually the receiver
    Order order = Order::ControlFirst;
    Millis stepTime{10};
    // Chunks per direction delivered in one step (0: all queued). Lower values spread a transfer over
    // more steps so tests can stop it midway.
    std::size_t chunksPerStep = 0;
    // Sees every item leaving `from` before it is queued; returning false drops it. May edit the item.
    std::function<bool(const Peer& from, Item& item)> intercept;

    // Offers `entries` from `a` and registers their content with a's source: contents[i] when given
    // (and not empty), else the pattern with seed i + 1. mtimes are taken from the entries.
    NewOffer offerFromA(const std::vector<LocalEntry>& entries,
                        const std::vector<wire::Bytes>* contents = nullptr);

    // Drives both sides until nothing moves; false when `maxSteps` ran out first.
    bool pump(std::size_t maxSteps = 10'000);
    // Drives until `done()` holds (true), or until quiet or `maxSteps` (false).
    bool pumpUntil(const std::function<bool()>& done, std::size_t maxSteps = 10'000);
    std::size_t stepsTaken = 0;

    // The link drops: everything queued is lost and both managers are told.
    void cut();
    void reconnect();
    // A process dies (nothing is closed) and comes back from the records it had persisted; its files and
    // partials (source, sink) survive. The link is cut first and restored after.
    void restart(Peer& peer);

    // Observations.
    struct Delivered {
        bool fromA = true;
        wire::AppMessage message;
    };
    std::vector<Delivered> delivered; // every control message, in delivery order
    template <typename T>
    std::vector<T> deliveredOf(bool fromA) const
    {
        std::vector<T> out;
        for (const Delivered& d : delivered)
            if (const T* m = std::get_if<T>(&d.message); m != nullptr && d.fromA == fromA) out.push_back(*m);
        return out;
    }
    std::uint64_t chunkBytesFromA = 0;
    std::uint64_t maxQueuedChunkBytes = 0;
    std::uint64_t maxInFlightA = 0;
    std::size_t decodeFailures = 0;
    bool connected = true;
    // Chunk bytes queued in the link right now (sent, not yet delivered).
    std::uint64_t queuedChunkBytes() const;

private:
    enum class RunEnd { Done, Quiet, OutOfSteps };
    RunEnd run(const std::function<bool()>& done, std::size_t maxSteps);
    void collect(Peer& from, std::deque<Item>& control, std::deque<Item>& data);
    std::size_t deliver(Peer& from, Peer& to, std::deque<Item>& control, std::deque<Item>& data);
    void build(Peer& peer);

    std::deque<Item> m_aToBControl, m_aToBData, m_bToAControl, m_bToAData;
};

} // namespace duet::transfer::test
