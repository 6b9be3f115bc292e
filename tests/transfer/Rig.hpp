#pragma once
// One TransferManager driven by hand, for scripted hostile peers: the test plays the other side message
// by message and checks the exact answers.
#include "Fakes.hpp"
#include "TestSupport.hpp"

#include <doctest/doctest.h>

namespace duet::transfer::test {

struct Rig {
    explicit Rig(TransferConfig config = {}, PendingOfferLimit* shared = nullptr)
        : ids(std::make_shared<IdSequence>(0x5EED)),
          manager(config, ManagerDeps{source, sink, hashes, clock, simpleValidator,
                                      [ids = ids] { return ids->next(); }, shared})
    {
    }

    FakeClock clock;
    FakeSource source;
    FakeSink sink;
    TestHashFactory hashes;
    std::shared_ptr<IdSequence> ids;
    TransferManager manager;
    std::vector<Action> last; // actions of the latest drain

    std::vector<Action>& drain()
    {
        last = manager.takeActions();
        return last;
    }
    template <typename T>
    std::vector<T> sent()
    {
        std::vector<T> out;
        for (const Action& a : last)
            if (const auto* m = std::get_if<SendMessage>(&a))
                if (const T* t = std::get_if<T>(&m->message)) out.push_back(*t);
        return out;
    }
    template <typename T>
    std::vector<T> events()
    {
        std::vector<T> out;
        for (const Action& a : last)
            if (const T* e = std::get_if<T>(&a)) out.push_back(*e);
        return out;
    }
    std::vector<SendChunk> chunks()
    {
        std::vector<SendChunk> out;
        for (const Action& a : last)
            if (const auto* c = std::get_if<SendChunk>(&a)) out.push_back(*c);
        return out;
    }
    std::size_t suspicious()
    {
        std::size_t n = 0;
        for (const InputDropped& d : events<InputDropped>())
            if (d.suspicious) ++n;
        return n;
    }
    FileProgress file(std::uint64_t offerId, std::uint64_t fileId)
    {
        auto s = manager.snapshotOffer(offerId, true);
        REQUIRE(s.has_value());
        for (const FileProgress& f : s->files)
            if (f.file.fileId == fileId) return f;
        FAIL("no such file");
        return {};
    }
};

// A one-part offer of the given entries.
inline wire::Offer onePart(std::uint64_t offerId, std::vector<wire::OfferEntry> entries)
{
    std::uint64_t total = 0;
    for (const auto& e : entries)
        total += e.size;
    const auto count = static_cast<std::uint32_t>(entries.size());
    return wire::Offer{offerId, 0, 1, count, total, std::move(entries)};
}

inline wire::OfferEntry wireFile(std::uint64_t id, std::uint64_t size, std::string path)
{
    return wire::OfferEntry{id, wire::EntryKind::File, size, 0, std::move(path)};
}

} // namespace duet::transfer::test
