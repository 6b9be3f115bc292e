// Query answers: at most one per spacing in total, coalesced, satisfied by any announce.
#include "duet/discovery/AnswerLimiter.hpp"

#include <doctest/doctest.h>

using namespace duet;
using namespace duet::discovery;

TEST_CASE("the first query is answered at once, later ones are folded into one answer per 500 ms")
{
    FakeClock clock;
    AnswerLimiter limiter(Millis(500));
    CHECK_FALSE(limiter.deadline().has_value());

    limiter.onQuery();
    REQUIRE(limiter.answerDue(clock.now()));
    limiter.onAnnounced(clock.now());

    // 998 queries over the next 499 ms: no answer inside the window.
    for (int i = 0; i < 998; ++i) {
        limiter.onQuery();
        if (i % 2 == 1) clock.advance(Millis(1));
        CHECK_FALSE(limiter.answerDue(clock.now()));
    }
    CHECK(limiter.pending());
    CHECK(limiter.deadline() == clock.now() + Millis(1));
    // At 500 ms, exactly one answer for all of them.
    clock.advance(Millis(1));
    REQUIRE(limiter.answerDue(clock.now()));
    limiter.onAnnounced(clock.now());
    CHECK_FALSE(limiter.pending());
    CHECK_FALSE(limiter.answerDue(clock.now()));
}

TEST_CASE("a periodic announce satisfies pending queries and restarts the window")
{
    FakeClock clock;
    AnswerLimiter limiter(Millis(500));
    limiter.onAnnounced(clock.now());
    clock.advance(Millis(100));
    limiter.onQuery();
    CHECK_FALSE(limiter.answerDue(clock.now()));
    CHECK(limiter.deadline() == clock.now() + Millis(400));
    limiter.onAnnounced(clock.now()); // the periodic announce went out
    CHECK_FALSE(limiter.pending());
    clock.advance(Millis(1000));
    CHECK_FALSE(limiter.answerDue(clock.now()));

    limiter.onQuery();
    limiter.clear(); // became invisible
    CHECK_FALSE(limiter.answerDue(clock.now()));
}

TEST_CASE("answers over a long query flood stay at two per second")
{
    FakeClock clock;
    AnswerLimiter limiter(Millis(500));
    int answers = 0;
    for (int ms = 0; ms < 10000; ++ms) {
        limiter.onQuery();
        if (limiter.answerDue(clock.now())) {
            ++answers;
            limiter.onAnnounced(clock.now());
        }
        clock.advance(Millis(1));
    }
    CHECK(answers == 20);
}
