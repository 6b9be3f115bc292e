#include "Harness.hpp"

#include <algorithm>
#include <doctest/doctest.h>

namespace duet::transfer::test {

std::optional<std::string> simpleValidator(const std::vector<wire::OfferEntry>& entries)
{
    for (const wire::OfferEntry& e : entries) {
        if (e.path.empty() || e.path.front() == '/' || e.path.back() == '/') return "bad name";
        std::size_t start = 0;
        while (start <= e.path.size()) {
            const std::size_t end = std::min(e.path.find('/', start), e.path.size());
            const std::string_view part(e.path.data() + start, end - start);
            if (part.empty() || part == "." || part == "..") return "bad name";
            start = end + 1;
        }
    }
    return std::nullopt;
}

std::uint64_t IdSequence::next()
{
    // splitmix64
    std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

std::size_t Peer::suspiciousDrops() const
{
    std::size_t n = 0;
    for (const InputDropped& d : eventsOf<InputDropped>())
        if (d.suspicious) ++n;
    return n;
}

Link::Link(TransferConfig configA, TransferConfig configB)
{
    a.config = configA;
    b.config = configB;
    a.ids = std::make_shared<IdSequence>(0xA11CE);
    b.ids = std::make_shared<IdSequence>(0xB0B);
    build(a);
    build(b);
}

void Link::build(Peer& peer)
{
    auto ids = peer.ids;
    peer.manager = std::make_unique<TransferManager>(
        peer.config, ManagerDeps{peer.source, peer.sink, peer.hashes, clock, simpleValidator,
                                 [ids] { return ids->next(); }, nullptr});
}

NewOffer Link::offerFromA(const std::vector<LocalEntry>& entries, const std::vector<wire::Bytes>* contents)
{
    NewOffer made = a.manager->offer(entries);
    REQUIRE_MESSAGE(made.ok(), made.error);
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (entries[i].kind != wire::EntryKind::File) continue;
        FakeSource::File f;
        f.size = entries[i].size;
        f.mtimeMs = entries[i].mtimeMs;
        if (contents != nullptr && i < contents->size() && !(*contents)[i].empty()) {
            f.bytes = (*contents)[i];
            REQUIRE(f.bytes->size() == f.size);
        } else {
            f.seed = i + 1;
        }
        a.source.add(FileKey{made.offerId, made.fileIds[i]}, std::move(f));
    }
    return made;
}

void Link::collect(Peer& from, std::deque<Item>& control, std::deque<Item>& data)
{
    from.manager->produceChunks();
    for (Action& action : from.manager->takeActions()) {
        Item item;
        if (auto* m = std::get_if<SendMessage>(&action)) {
            item.message = wire::encodeApp(m->message);
        } else if (auto* c = std::get_if<SendChunk>(&action)) {
            item.isChunk = true;
            item.fileId = c->fileId;
            item.chunkIndex = c->chunkIndex;
            item.data = std::move(c->plaintext);
        } else {
            from.events.push_back(std::move(action));
            continue;
        }
        if (!connected) continue; // nothing leaves a machine with no link
        if (intercept && !intercept(from, item)) continue;
        if (item.isChunk && &from == &a) chunkBytesFromA += item.data.size();
        (item.isChunk ? data : control).push_back(std::move(item));
    }
}

std::size_t Link::deliver(Peer& from, Peer& to, std::deque<Item>& control, std::deque<Item>& data)
{
    std::size_t moved = 0;
    const auto sendControl = [&] {
        while (!control.empty()) {
            Item item = std::move(control.front());
            control.pop_front();
            auto decoded = wire::decodeApp(item.message);
            ++moved;
            if (!decoded.ok()) {
                ++decodeFailures;
                continue;
            }
            delivered.push_back(Delivered{&from == &a, decoded.value()});
            to.manager->onMessage(decoded.value());
        }
    };
    const auto sendData = [&] {
        std::size_t n = 0;
        while (!data.empty() && (chunksPerStep == 0 || n < chunksPerStep)) {
            Item item = std::move(data.front());
            data.pop_front();
            to.manager->onChunk(item.fileId, item.chunkIndex, item.data);
            ++moved;
            ++n;
        }
    };
    if (order == Order::ControlFirst) {
        sendControl();
        sendData();
    } else {
        sendData();
        sendControl();
    }
    return moved;
}

std::uint64_t Link::queuedChunkBytes() const
{
    std::uint64_t total = 0;
    for (const auto* q : {&m_aToBData, &m_bToAData})
        for (const Item& item : *q)
            total += item.data.size();
    return total;
}

bool Link::pump(std::size_t maxSteps)
{
    return run([] { return false; }, maxSteps) == RunEnd::Quiet;
}

bool Link::pumpUntil(const std::function<bool()>& done, std::size_t maxSteps)
{
    return run(done, maxSteps) == RunEnd::Done;
}

Link::RunEnd Link::run(const std::function<bool()>& done, std::size_t maxSteps)
{
    for (std::size_t step = 0; step < maxSteps; ++step, ++stepsTaken) {
        if (done()) return RunEnd::Done;
        collect(a, m_aToBControl, m_aToBData);
        collect(b, m_bToAControl, m_bToAData);
        maxInFlightA = std::max(maxInFlightA, a.manager->bytesInFlight());
        maxQueuedChunkBytes = std::max(maxQueuedChunkBytes, queuedChunkBytes());
        std::size_t moved = 0;
        if (connected) {
            moved += deliver(a, b, m_aToBControl, m_aToBData);
            moved += deliver(b, a, m_bToAControl, m_bToAData);
        }
        clock.advance(stepTime);
        if (moved == 0) {
            // One more collection: delivering may have produced nothing new, then all is quiet.
            collect(a, m_aToBControl, m_aToBData);
            collect(b, m_bToAControl, m_bToAData);
            if (m_aToBControl.empty() && m_aToBData.empty() && m_bToAControl.empty() && m_bToAData.empty() &&
                !a.manager->canProduce() && !b.manager->canProduce())
                return done() ? RunEnd::Done : RunEnd::Quiet;
        }
    }
    return done() ? RunEnd::Done : RunEnd::OutOfSteps;
}

void Link::cut()
{
    m_aToBControl.clear();
    m_aToBData.clear();
    m_bToAControl.clear();
    m_bToAData.clear();
    if (!connected) return;
    connected = false;
    a.manager->onDisconnected();
    b.manager->onDisconnected();
    // Keep the events the managers emitted; their messages go nowhere.
    collect(a, m_aToBControl, m_aToBData);
    collect(b, m_bToAControl, m_bToAData);
}

void Link::reconnect()
{
    connected = true;
    a.manager->onConnected();
    b.manager->onConnected();
}

void Link::restart(Peer& peer)
{
    const std::vector<ResumeRecord> records = peer.manager->resumeRecords();
    // The dying process closes nothing; only the survivor notices the link going.
    m_aToBControl.clear();
    m_aToBData.clear();
    m_bToAControl.clear();
    m_bToAData.clear();
    Peer& other = &peer == &a ? b : a;
    if (connected) other.manager->onDisconnected();
    connected = false;
    collect(other, &other == &a ? m_aToBControl : m_bToAControl, &other == &a ? m_aToBData : m_bToAData);
    for (auto& [key, partial] : peer.sink.partials)
        partial.open = false;
    peer.manager.reset();
    build(peer);
    const std::vector<std::string> refused = peer.manager->restore(records);
    CHECK(refused.empty());
    reconnect();
}

} // namespace duet::transfer::test
