//! The time a question names, through the real bot and memory plugin on a moved clock: a
//! turn is told when its message arrived (not when the queue got to it), and the memories
//! told in the period a question names ("in May", "im Juli", "last week") come first.

use dcmaid_host::Bot;
use dcmaid_host::core::ManualClock;
use dcmaid_tests::Sandbox;

use crate::memory::config;
use crate::{say, start_on};

/// Noon UTC on 8 May 2023.
const MAY_8_2023: u64 = 1_683_547_200_000;
const DAY: u64 = 24 * 60 * 60 * 1000;

/// The first memory `/recall` lists for `query`.
async fn first_recalled(bot: &Bot, query: &str) -> String {
    let recalled = say(bot, "ann", &format!("/recall {query}")).await.reply;
    recalled.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn a_question_naming_a_time_finds_what_was_told_then_in_its_own_language() {
    let sandbox = Sandbox::new();
    sandbox.install_hello();
    sandbox.install_memory();
    let clock = ManualClock::at_ms(MAY_8_2023);
    let bot = start_on(config(&sandbox), &clock).await;

    say(&bot, "ann", "We went hiking by the lake with the kids, it was lovely").await;
    say(&bot, "ann", "My maths teacher at school was very strict").await;
    say(&bot, "ann", "Wir waren mit den Kindern am See wandern").await;
    clock.set_ms(MAY_8_2023 + 73 * DAY); // 20 July 2023
    say(&bot, "ann", "We went hiking by the lake again, just the two of us").await;
    say(&bot, "ann", "Wir waren wieder am See wandern, nur wir zwei").await;
    clock.set_ms(MAY_8_2023 + 150 * DAY); // 5 October 2023
    say(&bot, "ann", "I started learning the cello, my teacher is called Ottoline").await;
    clock.set_ms(MAY_8_2023 + 157 * DAY); // Thursday, 12 October 2023

    // The turns went through the queue; each was told when its message arrived.
    let listed = say(&bot, "ann", "/memories").await.reply;
    assert!(
        listed.contains("[turn, 2023-05-08]: We went hiking by the lake with the kids"),
        "{listed}"
    );
    assert!(listed.contains("[turn, 2023-07-20]: Wir waren wieder am See"), "{listed}");

    let may = first_recalled(&bot, "When did we go hiking by the lake in May?").await;
    assert!(may.contains("2023-05-08") && may.contains("with the kids"), "{may}");
    let july = first_recalled(&bot, "When did we go hiking by the lake in July?").await;
    assert!(july.contains("2023-07-20") && july.contains("just the two of us"), "{july}");
    let juli = first_recalled(&bot, "Wann waren wir im Juli am See wandern?").await;
    assert!(juli.contains("nur wir zwei"), "{juli}");
    let mai = first_recalled(&bot, "Wann waren wir im Mai am See wandern?").await;
    assert!(mai.contains("mit den Kindern"), "{mai}");
    let last_week = first_recalled(&bot, "What did I tell you last week about my teacher?").await;
    assert!(last_week.contains("Ottoline"), "{last_week}");

    // Without a time, neither hike is preferred for its date: both are still found.
    let hikes = say(&bot, "ann", "/recall hiking by the lake").await.reply;
    assert!(hikes.contains("with the kids") && hikes.contains("two of us"), "{hikes}");
}
