#include "duet/transfer/Types.hpp"

namespace duet::transfer {

bool isRepairable(wire::FileOutcome outcome)
{
    return outcome == wire::FileOutcome::DiskFull || outcome == wire::FileOutcome::WriteFailed;
}

bool isFinal(OfferState state)
{
    switch (state) {
    case OfferState::AwaitingReply:
    case OfferState::AwaitingDecision:
    case OfferState::Active:
        return false;
    case OfferState::Finished:
    case OfferState::Rejected:
    case OfferState::Cancelled:
    case OfferState::Failed:
        return true;
    }
    return true;
}

bool isFinal(FileState state)
{
    switch (state) {
    case FileState::Pending:
    case FileState::Active:
    case FileState::Finishing:
        return false;
    case FileState::NotAccepted:
    case FileState::Verified:
    case FileState::Failed:
    case FileState::Cancelled:
        return true;
    }
    return true;
}

std::string_view describe(Direction direction)
{
    return direction == Direction::Outgoing ? "outgoing" : "incoming";
}

std::string_view describe(OfferState state)
{
    switch (state) {
    case OfferState::AwaitingReply:
        return "waiting for the peer to accept";
    case OfferState::AwaitingDecision:
        return "waiting for your decision";
    case OfferState::Active:
        return "transferring";
    case OfferState::Finished:
        return "finished";
    case OfferState::Rejected:
        return "rejected";
    case OfferState::Cancelled:
        return "cancelled";
    case OfferState::Failed:
        return "failed";
    }
    return "unknown";
}

std::string_view describe(FileState state)
{
    switch (state) {
    case FileState::NotAccepted:
        return "not accepted";
    case FileState::Pending:
        return "waiting";
    case FileState::Active:
        return "transferring";
    case FileState::Finishing:
        return "verifying";
    case FileState::Verified:
        return "done";
    case FileState::Failed:
        return "failed";
    case FileState::Cancelled:
        return "cancelled";
    }
    return "unknown";
}

std::string_view describe(wire::FileOutcome outcome)
{
    using wire::FileOutcome;
    switch (outcome) {
    case FileOutcome::Verified:
        return "verified";
    case FileOutcome::HashMismatch:
        return "content does not match the sender's hash";
    case FileOutcome::SourceChanged:
        return "the sender's file changed while it was being sent";
    case FileOutcome::SourceUnreadable:
        return "the sender could not read the file";
    case FileOutcome::DiskFull:
        return "the disk is full";
    case FileOutcome::WriteFailed:
        return "the file could not be written";
    case FileOutcome::Cancelled:
        return "cancelled";
    case FileOutcome::ProtocolViolation:
        return "the peer broke the transfer protocol";
    }
    return "unknown";
}

std::string clampReason(std::string text)
{
    if (text.size() <= wire::kMaxReasonText) return text;
    std::size_t cut = wire::kMaxReasonText;
    // Step back over UTF-8 continuation bytes so the cut lands on a character boundary.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    text.resize(cut);
    return text;
}

std::string displaySafe(std::string_view peerText)
{
    std::string out;
    out.reserve(peerText.size());
    for (std::size_t i = 0; i < peerText.size(); ++i) {
        const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(peerText[k]); };
        const unsigned char c = byte(i);
        if (c < 0x20 || c == 0x7F) {
            out += '?';
        } else if (c == 0xC2 && i + 1 < peerText.size() && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) {
            out += '?'; // C1 controls U+0080..U+009F
            ++i;
        } else if (c == 0xE2 && i + 2 < peerText.size() &&
                   ((byte(i + 1) == 0x80 && byte(i + 2) >= 0xAA && byte(i + 2) <= 0xAE) ||
                    (byte(i + 1) == 0x81 && byte(i + 2) >= 0xA6 && byte(i + 2) <= 0xA9))) {
            out += '?'; // U+202A..U+202E and U+2066..U+2069
            i += 2;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

} // namespace duet::transfer
