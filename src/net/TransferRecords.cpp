#include "duet/net/TransferRecords.hpp"

#include <nlohmann/json.hpp>

namespace duet::net {
namespace {

using nlohmann::json;

constexpr int kFormat = 1;
constexpr int kSplitFormat = 2; // the offer's own fields; its files are in rows of their own

template <typename E>
int asInt(E value)
{
    return static_cast<int>(value);
}

template <typename E>
E enumFrom(const json& j, int maxValue)
{
    const int value = j.get<int>();
    if (value < 0 || value > maxValue) throw std::out_of_range("enum value out of range");
    return static_cast<E>(value);
}

json fileToJson(const transfer::ResumeFile& f)
{
    return json{{"id", f.entry.fileId},        {"kind", asInt(f.entry.kind)}, {"size", f.entry.size},
                {"mtime", f.entry.mtimeMs},    {"path", f.entry.path},        {"state", asInt(f.state)},
                {"outcome", asInt(f.outcome)}, {"detail", f.detail},          {"final", f.finalPath},
                {"paused", f.pausedLocally},   {"decided", f.decidedLocally}};
}

transfer::ResumeFile fileFromJson(const json& j)
{
    transfer::ResumeFile f;
    f.entry.fileId = j.at("id").get<std::uint64_t>();
    f.entry.kind = enumFrom<wire::EntryKind>(j.at("kind"), 1);
    f.entry.size = j.at("size").get<std::uint64_t>();
    f.entry.mtimeMs = j.at("mtime").get<std::int64_t>();
    f.entry.path = j.at("path").get<std::string>();
    f.state = enumFrom<transfer::FileState>(j.at("state"), asInt(transfer::FileState::Cancelled));
    f.outcome = enumFrom<wire::FileOutcome>(j.at("outcome"), asInt(wire::FileOutcome::ProtocolViolation));
    f.detail = j.at("detail").get<std::string>();
    f.finalPath = j.at("final").get<std::string>();
    f.pausedLocally = j.at("paused").get<bool>();
    f.decidedLocally = j.at("decided").get<bool>();
    return f;
}

json recordToJson(const transfer::ResumeRecord& r)
{
    json files = json::array();
    for (const transfer::ResumeFile& f : r.files)
        files.push_back(fileToJson(f));
    return json{{"direction", asInt(r.direction)}, {"offer", r.offerId},      {"state", asInt(r.state)},
                {"paused", r.pausedLocally},       {"ended", r.endedLocally}, {"reason", r.reason},
                {"files", std::move(files)}};
}

transfer::ResumeRecord recordFromJson(const json& r)
{
    transfer::ResumeRecord record;
    record.direction = enumFrom<transfer::Direction>(r.at("direction"), 1);
    record.offerId = r.at("offer").get<std::uint64_t>();
    record.state = enumFrom<transfer::OfferState>(r.at("state"), asInt(transfer::OfferState::Failed));
    record.pausedLocally = r.at("paused").get<bool>();
    record.endedLocally = r.at("ended").get<bool>();
    record.reason = r.at("reason").get<std::string>();
    for (const json& f : r.at("files"))
        record.files.push_back(fileFromJson(f));
    return record;
}

std::string dumpText(const json& j)
{
    return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

} // namespace

std::string resumeSettingKey(const std::string& peerFingerprint)
{
    return "transfers.resume." + peerFingerprint;
}

std::string encodeResumeState(const std::vector<transfer::ResumeRecord>& records,
                              const std::map<std::uint64_t, std::string>& localPaths)
{
    json out{{"format", kFormat}, {"records", json::array()}, {"paths", json::array()}};
    for (const transfer::ResumeRecord& r : records)
        out["records"].push_back(recordToJson(r));
    for (const auto& [fileId, path] : localPaths)
        out["paths"].push_back(json{{"id", fileId}, {"path", path}});
    return dumpText(out);
}

std::optional<ResumeState> decodeResumeState(const std::string& text)
{
    try {
        const json in = json::parse(text);
        if (in.at("format").get<int>() != kFormat) return std::nullopt;
        ResumeState state;
        for (const json& r : in.at("records"))
            state.records.push_back(recordFromJson(r));
        for (const json& p : in.at("paths"))
            state.localPaths[p.at("id").get<std::uint64_t>()] = p.at("path").get<std::string>();
        return state;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string encodeResumeRecord(const transfer::ResumeRecord& record,
                               const std::map<std::uint64_t, std::string>& localPaths)
{
    json out{{"format", kFormat}, {"record", recordToJson(record)}, {"paths", json::array()}};
    for (const transfer::ResumeFile& f : record.files) {
        const auto path = localPaths.find(f.entry.fileId);
        if (path != localPaths.end())
            out["paths"].push_back(json{{"id", path->first}, {"path", path->second}});
    }
    return dumpText(out);
}

std::optional<ResumeState> decodeResumeRecord(const std::string& text)
{
    try {
        const json in = json::parse(text);
        if (in.at("format").get<int>() != kFormat) return std::nullopt;
        ResumeState state;
        state.records.push_back(recordFromJson(in.at("record")));
        for (const json& p : in.at("paths"))
            state.localPaths[p.at("id").get<std::uint64_t>()] = p.at("path").get<std::string>();
        return state;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string encodeResumeHeader(const transfer::ResumeRecord& header)
{
    transfer::ResumeRecord withoutFiles = header;
    withoutFiles.files.clear();
    return dumpText(json{{"format", kSplitFormat}, {"record", recordToJson(withoutFiles)}});
}

std::optional<transfer::ResumeRecord> decodeResumeHeader(const std::string& text)
{
    try {
        const json in = json::parse(text);
        if (in.at("format").get<int>() != kSplitFormat) return std::nullopt;
        transfer::ResumeRecord record = recordFromJson(in.at("record"));
        record.files.clear();
        return record;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

std::string encodeResumeFile(const transfer::ResumeFile& file, const std::string* localPath)
{
    json out = fileToJson(file);
    if (localPath != nullptr) out["local"] = *localPath;
    return dumpText(out);
}

std::optional<DecodedResumeFile> decodeResumeFile(const std::string& text)
{
    try {
        const json in = json::parse(text);
        DecodedResumeFile decoded{fileFromJson(in), std::nullopt};
        if (const auto local = in.find("local"); local != in.end())
            decoded.localPath = local->get<std::string>();
        return decoded;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

} // namespace duet::net
