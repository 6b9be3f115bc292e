#include "duet/state/EventText.hpp"

#include <cstdio>
#include <type_traits>

namespace duet::state {
namespace {

class Line {
public:
    explicit Line(std::string_view name) : m_text("event ") { m_text += name; }

    Line& field(std::string_view key, std::string_view value)
    {
        start(key);
        m_text += quoteForLog(value);
        return *this;
    }
    Line& field(std::string_view key, const char* value) { return field(key, std::string_view(value)); }
    Line& field(std::string_view key, bool value)
    {
        start(key);
        m_text += value ? "true" : "false";
        return *this;
    }
    template <typename Integer>
    requires std::is_integral_v<Integer> Line& field(std::string_view key, Integer value)
    {
        start(key);
        m_text += std::to_string(value);
        return *this;
    }
    Line& field(std::string_view key, double value)
    {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.4f", value);
        start(key);
        m_text += buffer;
        return *this;
    }
    Line& field(std::string_view key, PeerId peer) { return field(key, peer.value); }

    std::string take() { return std::move(m_text); }

private:
    void start(std::string_view key)
    {
        m_text += ' ';
        m_text += key;
        m_text += '=';
    }
    std::string m_text;
};

std::string describe(const event::Listening& e)
{
    std::string addresses;
    for (const std::string& address : e.addresses)
        addresses += (addresses.empty() ? "" : ",") + address;
    return Line("Listening")
        .field("port", e.port)
        .field("fingerprint", e.fingerprint)
        .field("addresses", addresses)
        .take();
}
std::string describe(const event::HostingChanged& e)
{
    return Line("HostingChanged").field("accepting", e.accepting).take();
}
std::string describe(const event::PeerConnecting& e)
{
    return Line("PeerConnecting")
        .field("peer", e.peer)
        .field("address", e.address)
        .field("outgoing", e.outgoing)
        .take();
}
std::string describe(const event::PeerConnected& e)
{
    return Line("PeerConnected")
        .field("peer", e.peer)
        .field("name", e.name)
        .field("address", e.address)
        .field("fingerprint", e.fingerprint)
        .field("code", e.code)
        .field("trust", e.trust == Trust::Verified ? "verified" : "unverified")
        .take();
}
std::string describe(const event::PeerVerified& e)
{
    return Line("PeerVerified").field("peer", e.peer).take();
}
std::string describe(const event::PeerKeyChanged& e)
{
    return Line("PeerKeyChanged")
        .field("peer", e.peer)
        .field("name", e.name)
        .field("address", e.address)
        .field("pinned", e.pinnedFingerprint)
        .field("presented", e.presentedFingerprint)
        .take();
}
std::string describe(const event::PeerDisconnected& e)
{
    return Line("PeerDisconnected").field("peer", e.peer).field("reason", e.reason).take();
}
std::string describe(const event::ChatSent& e)
{
    return Line("ChatSent").field("peer", e.peer).field("id", e.messageId).field("timeMs", e.timeMs).take();
}
std::string describe(const event::ChatReceived& e)
{
    return Line("ChatReceived")
        .field("peer", e.peer)
        .field("id", e.messageId)
        .field("from", e.from)
        .field("text", e.text)
        .field("sentAtMs", e.sentAtMs)
        .take();
}
std::string describe(const event::ChatDelivered& e)
{
    return Line("ChatDelivered").field("peer", e.peer).field("id", e.messageId).take();
}
std::string describe(const event::ChatStateChanged& e)
{
    return Line("ChatStateChanged")
        .field("peer", e.peer)
        .field("fingerprint", e.fingerprint)
        .field("id", e.messageId)
        .field("state", static_cast<int>(e.state))
        .take();
}
std::string describe(const event::HistoryPage& e)
{
    return Line("HistoryPage")
        .field("fingerprint", e.fingerprint)
        .field("messages", e.messages.size())
        .field("more", e.more)
        .take();
}
std::string describe(const event::PeerTyping& e)
{
    return Line("PeerTyping")
        .field("peer", e.peer)
        .field("fingerprint", e.fingerprint)
        .field("typing", e.typing)
        .take();
}
std::string describe(const event::HistorySearchResults& e)
{
    return Line("HistorySearchResults")
        .field("fingerprint", e.fingerprint)
        .field("query", e.query)
        .field("messages", e.messages.size())
        .field("more", e.more)
        .take();
}
std::string describe(const event::HistoryCleared& e)
{
    return Line("HistoryCleared").field("fingerprint", e.fingerprint).field("removed", e.removed).take();
}
std::string describe(const event::HistoryExported& e)
{
    return Line("HistoryExported")
        .field("fingerprint", e.fingerprint)
        .field("path", e.path)
        .field("messages", e.messages)
        .take();
}
std::string describe(const event::ChatOptions& e)
{
    return Line("ChatOptions")
        .field("readReceipts", e.readReceipts)
        .field("typingIndicator", e.typingIndicator)
        .take();
}
std::string describe(const event::LinkStats& e)
{
    return Line("LinkStats")
        .field("peer", e.peer)
        .field("rttMs", e.rttMs)
        .field("loss", e.lossRatio)
        .field("inBps", e.bytesInPerSec)
        .field("outBps", e.bytesOutPerSec)
        .take();
}
std::string describe(const event::Error& e)
{
    return Line("Error").field("peer", e.peer).field("reason", e.reason).take();
}
std::string describe(const event::OfferReceived& e)
{
    return Line("OfferReceived")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("files", e.entries.size())
        .field("bytes", e.totalBytes)
        .field("autoAccepted", e.autoAccepted)
        .take();
}
std::string describe(const event::OfferSent& e)
{
    return Line("OfferSent")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("files", e.entries.size())
        .field("bytes", e.totalBytes)
        .take();
}
std::string describe(const event::TransferProgress& e)
{
    return Line("TransferProgress")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("state", static_cast<int>(e.state))
        .field("done", e.bytesDone)
        .field("total", e.totalBytes)
        .take();
}
std::string describe(const event::TransferFileDone& e)
{
    return Line("TransferFileDone")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("file", e.fileId)
        .field("path", e.localPath)
        .take();
}
std::string describe(const event::TransferFileFailed& e)
{
    return Line("TransferFileFailed")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("file", e.fileId)
        .field("reason", e.reason)
        .take();
}
std::string describe(const event::OfferFinished& e)
{
    return Line("OfferFinished")
        .field("peer", e.peer)
        .field("offer", e.offer.value)
        .field("state", static_cast<int>(e.state))
        .field("reason", e.reason)
        .take();
}
std::string describe(const event::LanPeerFound& e)
{
    return Line("LanPeerFound")
        .field("key", e.key)
        .field("name", e.name)
        .field("address", e.addresses.empty() ? std::string() : e.addresses.front())
        .field("addresses", e.addresses.size())
        .field("fingerprintHint", e.fingerprintHint)
        .field("matchesPinnedPeer", e.matchesPinnedPeer)
        .take();
}
std::string describe(const event::LanPeerLost& e)
{
    return Line("LanPeerLost")
        .field("key", e.key)
        .field("name", e.name)
        .field("address", e.address)
        .field("fingerprint", e.fingerprintHint)
        .field("reason", e.reason)
        .take();
}
std::string describe(const event::DiscoveryState& e)
{
    return Line("DiscoveryState")
        .field("available", e.available)
        .field("visible", e.visible)
        .field("interfaces", e.interfaces.size())
        .field("machineInterfaces", e.machineInterfaces.size())
        .take();
}
std::string describe(const event::Reachability& e)
{
    return Line("Reachability")
        .field("mapped", e.mapped)
        .field("public", e.publicAddress)
        .field("natType", e.natType)
        .field("lan", e.lan.size())
        .take();
}
std::string describe(const event::NatCode& e)
{
    return Line("NatCode").field("chars", e.code.size()).take();
}
std::string describe(const event::NatProgress& e)
{
    return Line("NatProgress").field("stage", e.stage).field("detail", e.detail).field("peer", e.peer).take();
}

} // namespace

std::string quoteForLog(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 2);
    out += '"';
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        switch (ch) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (byte < 0x20 || byte == 0x7F) {
                char buffer[5];
                std::snprintf(buffer, sizeof buffer, "\\x%02X", byte);
                out += buffer;
            } else {
                out += ch;
            }
        }
    }
    out += '"';
    return out;
}

std::string describeEvent(const Event& event)
{
    return std::visit([](const auto& e) { return describe(e); }, event);
}

} // namespace duet::state
