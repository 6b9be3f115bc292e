#include "Config.hpp"

#include "Units.hpp"

#include <charconv>
#include <fstream>
#include <sstream>

namespace duet::netlab {
namespace {

ParseOutcome failure(std::string message)
{
    ParseOutcome out;
    out.error = std::move(message);
    return out;
}

ParseOutcome success()
{
    ParseOutcome out;
    out.ok = true;
    return out;
}

std::vector<std::string_view> split(std::string_view text, char separator)
{
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = text.find(separator, start);
        if (end == std::string_view::npos) {
            parts.push_back(text.substr(start));
            break;
        }
        parts.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return parts;
}

bool parseProbabilityInto(std::string_view text, double& out)
{
    auto value = parseProbability(text);
    if (value) out = *value;
    return value.has_value();
}

bool parseDurationInto(std::string_view text, std::int64_t& out)
{
    auto value = parseDuration(text);
    if (value) out = *value;
    return value.has_value();
}

bool parseGilbertElliott(std::string_view text, GilbertElliott& out)
{
    const auto parts = split(text, ':');
    if (parts.size() < 2 || parts.size() > 4) return false;
    GilbertElliott model;
    model.enabled = true;
    if (!parseProbabilityInto(parts[0], model.goodToBad) || !parseProbabilityInto(parts[1], model.badToGood))
        return false;
    if (parts.size() > 2 && !parseProbabilityInto(parts[2], model.lossInGood)) return false;
    if (parts.size() > 3 && !parseProbabilityInto(parts[3], model.lossInBad)) return false;
    if (model.badToGood <= 0)
        return false; // a bad state that never ends is a blackout; say so with blackout= instead
    out = model;
    return true;
}

bool parseWindows(std::string_view text, std::vector<std::pair<std::int64_t, std::int64_t>>& out)
{
    for (std::string_view window : split(text, '+')) {
        const auto bounds = split(window, '-');
        std::int64_t start = 0, end = 0;
        if (bounds.size() != 2 || !parseDurationInto(bounds[0], start) ||
            !parseDurationInto(bounds[1], end) || end <= start)
            return false;
        out.emplace_back(start, end);
    }
    return true;
}

ParseOutcome applyKey(std::string_view key, std::string_view value, DirectionConfig& d)
{
    auto bad = [&] {
        return failure("bad value for " + std::string(key) + ": '" + std::string(value) + "'");
    };
    if (key == "rate") {
        auto rate = parseRate(value);
        if (!rate) return bad();
        d.rateBitsPerSecond = *rate;
    } else if (key == "queue") {
        auto bytes = parseBytes(value);
        if (!bytes || *bytes == 0) return bad();
        d.queueBytes = *bytes;
    } else if (key == "delay") {
        if (!parseDurationInto(value, d.delayNs)) return bad();
    } else if (key == "jitter") {
        if (!parseDurationInto(value, d.jitterNs)) return bad();
    } else if (key == "jitter-reorder") {
        if (value != "1" && value != "0") return bad();
        d.jitterMayReorder = value == "1";
    } else if (key == "loss") {
        if (!parseProbabilityInto(value, d.loss)) return bad();
    } else if (key == "ge") {
        if (!parseGilbertElliott(value, d.burstLoss)) return bad();
    } else if (key == "reorder") {
        const auto parts = split(value, ':');
        if (parts.size() != 2 || !parseProbabilityInto(parts[0], d.reorderProbability) ||
            !parseDurationInto(parts[1], d.reorderExtraDelayNs))
            return bad();
    } else if (key == "dup") {
        if (!parseProbabilityInto(value, d.duplicateProbability)) return bad();
    } else if (key == "corrupt") {
        if (!parseProbabilityInto(value, d.corruptProbability)) return bad();
    } else if (key == "corrupt-mode") {
        if (value == "fix")
            d.corruptMode = CorruptMode::FixChecksum;
        else if (value == "wire")
            d.corruptMode = CorruptMode::Wire;
        else
            return bad();
    } else if (key == "blackout") {
        const auto parts = split(value, ':');
        if (parts.size() != 2 || !parseDurationInto(parts[0], d.blackout.periodicOnNs) ||
            !parseDurationInto(parts[1], d.blackout.periodicOffNs) || d.blackout.periodicOffNs <= 0)
            return bad();
    } else if (key == "blackout-at") {
        if (!parseWindows(value, d.blackout.windows)) return bad();
    } else {
        return failure("unknown impairment key '" + std::string(key) + "'");
    }
    return success();
}

bool parseUnsigned(std::string_view text, std::uint64_t& out)
{
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc{} && ptr == text.data() + text.size();
}

std::string namespacePath(const std::string& nameOrPath)
{
    if (nameOrPath.find('/') != std::string::npos) return nameOrPath;
    return "/run/netns/" + nameOrPath;
}

// Reads whitespace-separated arguments from a profile file; '#' starts a comment.
bool readArgumentFile(const std::string& path, std::vector<std::string>& out)
{
    std::ifstream file(path);
    if (!file) return false;
    std::string line;
    while (std::getline(file, line)) {
        if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
        std::istringstream words(line);
        std::string word;
        while (words >> word)
            out.push_back(word);
    }
    return true;
}

} // namespace

bool BlackoutSchedule::isDown(std::int64_t sinceStartNs) const
{
    if (periodicOffNs > 0 && sinceStartNs >= 0) {
        const std::int64_t phase = sinceStartNs % (periodicOnNs + periodicOffNs);
        if (phase >= periodicOnNs) return true;
    }
    for (const auto& [start, end] : windows) {
        if (sinceStartNs >= start && sinceStartNs < end) return true;
    }
    return false;
}

std::uint64_t NatRebindConfig::epochAt(std::int64_t sinceStartNs) const
{
    std::uint64_t epoch = 0;
    for (std::int64_t time : timesNs) {
        if (time <= sinceStartNs) ++epoch;
    }
    if (firstNs >= 0 && sinceStartNs >= firstNs) {
        epoch += periodNs > 0 ? 1 + static_cast<std::uint64_t>((sinceStartNs - firstNs) / periodNs) : 1;
    }
    return epoch;
}

ParseOutcome applyDirectionSpec(std::string_view spec, DirectionConfig& direction)
{
    for (std::string_view item : split(spec, ',')) {
        if (item.empty()) continue;
        const std::size_t equals = item.find('=');
        if (equals == std::string_view::npos)
            return failure("expected key=value in '" + std::string(item) + "'");
        auto outcome = applyKey(item.substr(0, equals), item.substr(equals + 1), direction);
        if (!outcome.ok) return outcome;
    }
    return success();
}

ParseOutcome parseCommandLine(const std::vector<std::string>& rawArgs, EmulatorConfig& config)
{
    std::vector<std::string> args;
    for (std::size_t i = 0; i < rawArgs.size(); ++i) {
        if (rawArgs[i] == "--config") {
            if (i + 1 >= rawArgs.size() || !readArgumentFile(rawArgs[i + 1], args))
                return failure("--config needs a readable file");
            ++i;
        } else {
            args.push_back(rawArgs[i]);
        }
    }
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& flag = args[i];
        if (flag == "--help" || flag == "-h") {
            ParseOutcome out;
            out.helpRequested = true;
            return out;
        }
        if (i + 1 >= args.size()) return failure("missing value after " + flag);
        const std::string& value = args[++i];
        ParseOutcome outcome = success();
        if (flag == "--netns-a") {
            config.netnsA = namespacePath(value);
        } else if (flag == "--netns-b") {
            config.netnsB = namespacePath(value);
        } else if (flag == "--dev-a") {
            config.deviceA = value;
        } else if (flag == "--dev-b") {
            config.deviceB = value;
        } else if (flag == "--seed") {
            if (!parseUnsigned(value, config.seed)) return failure("bad --seed");
        } else if (flag == "--stats-interval") {
            if (!parseDurationInto(value, config.statsIntervalNs)) return failure("bad --stats-interval");
        } else if (flag == "--max-runtime") {
            if (!parseDurationInto(value, config.maxRuntimeNs)) return failure("bad --max-runtime");
        } else if (flag == "--realtime") {
            std::uint64_t priority = 0;
            if (!parseUnsigned(value, priority) || priority > 99) return failure("bad --realtime (0..99)");
            config.realtimePriority = static_cast<int>(priority);
        } else if (flag == "--ab") {
            outcome = applyDirectionSpec(value, config.aToB);
        } else if (flag == "--ba") {
            outcome = applyDirectionSpec(value, config.bToA);
        } else if (flag == "--both") {
            outcome = applyDirectionSpec(value, config.aToB);
            if (outcome.ok) outcome = applyDirectionSpec(value, config.bToA);
        } else if (flag == "--nat-side") {
            if (value != "a" && value != "b") return failure("--nat-side is a or b");
            config.nat.side = value == "a" ? Side::A : Side::B;
        } else if (flag == "--nat-rebind") {
            const auto parts = split(value, ':');
            if (parts.empty() || parts.size() > 2 || !parseDurationInto(parts[0], config.nat.firstNs) ||
                (parts.size() == 2 &&
                 (!parseDurationInto(parts[1], config.nat.periodNs) || config.nat.periodNs <= 0)))
                return failure("bad --nat-rebind (FIRST or FIRST:PERIOD)");
        } else if (flag == "--nat-rebind-at") {
            for (std::string_view time : split(value, '+')) {
                std::int64_t ns = 0;
                if (!parseDurationInto(time, ns)) return failure("bad --nat-rebind-at (T+T+...)");
                config.nat.timesNs.push_back(ns);
            }
        } else {
            return failure("unknown option " + flag);
        }
        if (!outcome.ok) return outcome;
    }
    if (config.netnsA.empty() != config.netnsB.empty())
        return failure("give both --netns-a and --netns-b, or neither");
    if (config.netnsA.empty() && config.deviceA == config.deviceB)
        return failure("without namespaces the two devices need different names");
    return success();
}

const char* usageText()
{
    return R"(usage: duet-linkemu [options]
Forwards IP packets between two TUN devices (each may live in its own network namespace) and impairs
each direction. A->B is traffic read from device A and written to device B.

  --netns-a NAME|PATH  --netns-b NAME|PATH   namespaces holding the devices (NAME = /run/netns/NAME)
  --dev-a NAME  --dev-b NAME                 TUN device names (default tl0); attached, or created if absent
  --seed N                                   seed for every random decision (default 1)
  --stats-interval DUR                       print counters every DUR (also on SIGUSR1 and at exit)
  --max-runtime DUR                          exit by itself after DUR (safety net for scripts)
  --realtime PRIO                            run the forwarding threads SCHED_FIFO at PRIO (1..99)
  --both SPEC | --ab SPEC | --ba SPEC        impairments for both directions / A->B / B->A
  --nat-side a|b                             side whose UDP source ports get rebound (default a)
  --nat-rebind FIRST[:PERIOD]                rebind at FIRST, then every PERIOD
  --nat-rebind-at T+T+...                    rebind at these times
  --config FILE                              read more arguments from FILE ('#' comments)

SPEC is key=value[,key=value...]:
  rate=20mbit queue=64k delay=5ms jitter=1ms jitter-reorder=0|1 loss=0.5%
  ge=P_GOOD_TO_BAD:P_BAD_TO_GOOD[:LOSS_GOOD[:LOSS_BAD]]   (Gilbert-Elliott burst loss)
  reorder=PROB:EXTRA_DELAY  dup=PROB  corrupt=PROB  corrupt-mode=fix|wire
  blackout=ON:OFF (periodic)  blackout-at=START-END+START-END
Durations need a unit (ns, us, ms, s); times count from start-up.
)";
}

} // namespace duet::netlab
