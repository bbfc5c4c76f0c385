"""``backpain chat`` as a person uses it: typed lines in, the printed transcript out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from skill.chat import Chat
from skill.cli import main
from skill.content_model import Level, default_content
from skill.nlu import InteractionModel

CONTENT = default_content()
M = CONTENT.messages
QUESTIONS = CONTENT.questions
BACKPAIN = Path(sys.executable).parent / "backpain"


def chat(*lines: str, options: tuple[str, ...] = ()) -> str:
    """Run ``backpain chat`` with ``lines`` on stdin; return everything it printed."""
    result = CliRunner().invoke(main, ["chat", *options], input="".join(f"{x}\n" for x in lines))
    assert result.exit_code == 0, result.output
    return result.output


def after(output: str, typed: str) -> str:
    """What was printed after the last time the person typed ``typed``."""
    marker = f"you> {typed}\n"
    assert marker in output
    return output[output.rindex(marker) + len(marker) :]


def reply_to(output: str, typed: str) -> str:
    """What was printed in answer to ``typed`` (up to the next line the person typed)."""
    return after(output, typed).split("you> ", 1)[0]


def test_open_and_ask_about_a_scan() -> None:
    output = chat("open back pain helper", "do I need a scan")
    welcome = reply_to(output, "open back pain helper")
    assert f"Alexa: {M.welcome}" in welcome
    assert f"[card] {M.welcome_title}" in welcome
    assert f"(if you say nothing: {M.welcome_reprompt})" in welcome
    scan = CONTENT.topics["scan"]
    answer = reply_to(output, "do I need a scan")
    assert f"Alexa: {scan.speech} {M.check_invite}" in answer
    assert f"[card] {scan.title}" in answer
    assert "(session ended)" not in output


def test_whole_check_typed_as_text_ends_in_self_care() -> None:
    nos = ["no"] * len(QUESTIONS)
    output = chat("open back pain helper", "check my symptoms", *nos, "two weeks")
    assert QUESTIONS[0].ask in reply_to(output, "check my symptoms")
    outcome = CONTENT.outcomes[Level.SELF_CARE]
    final = after(output, "two weeks")
    assert outcome.speech in final
    assert outcome.safety_net in final
    assert "2 weeks" in final
    assert f"[card] {outcome.title}" in final
    assert final.rstrip().endswith("(session ended)")
    assert output.count("(session ended)") == 1


def test_yes_at_the_first_question_says_phone_999() -> None:
    output = chat("open back pain helper", "check my symptoms", "yes")
    final = after(output, "yes")
    assert CONTENT.outcomes[Level.EMERGENCY].speech in final
    assert "999" in final.split("[card]")[0]
    assert "(session ended)" in final


def test_one_shot_medicine_question_gets_the_ibuprofen_answer() -> None:
    output = chat("ask back pain helper can I take nurofen")
    answer = reply_to(output, "ask back pain helper can I take nurofen")
    ibuprofen = CONTENT.medicines["ibuprofen"]
    assert f"Alexa: {M.one_shot_notice} {ibuprofen.speech}" in answer
    assert f"[card] {ibuprofen.title}" in answer
    assert "no session was open" not in answer


def test_silence_reprompts_once_then_ends_the_session() -> None:
    output = chat("open back pain helper", "check my symptoms", "no", "", "")
    silent = after(output, "no")
    first, second = silent.split("you> \n")[1:3]
    assert f"Alexa (reprompt): {M.check_reprompt} {QUESTIONS[1].ask}" in first
    assert "(session ended)" not in first
    assert "Alexa:" not in second
    assert "(session ended)" in second


def test_json_option_prints_request_envelopes() -> None:
    output = chat("open back pain helper", "do I need a scan", options=("--json",))
    assert '"type": "LaunchRequest"' in output
    assert '"type": "IntentRequest"' in output
    assert '"name": "ScanIntent"' in output
    assert '"applicationId": "amzn1.ask.skill.' in output
    assert "response: {" in output


def test_text_outside_the_model_gets_the_fallback() -> None:
    output = chat("open back pain helper", "what's the weather like")
    assert f"Alexa: {M.fallback}" in reply_to(output, "what's the weather like")


def test_text_without_an_open_session_starts_one_and_says_so() -> None:
    output = chat("do I need a scan")
    answer = reply_to(output, "do I need a scan")
    assert "no session was open" in answer
    assert CONTENT.topics["scan"].speech in answer


def test_quit_leaves_before_the_rest_of_the_input() -> None:
    output = chat("open back pain helper", "quit", "do I need a scan")
    assert CONTENT.topics["scan"].speech not in output


def test_installed_console_script_with_piped_stdin(tmp_path: Path) -> None:
    # printf 'open back pain helper\ndo I need a scan\n' | backpain chat
    assert BACKPAIN.exists(), f"console script not installed at {BACKPAIN}"
    done = subprocess.run(
        [str(BACKPAIN), "chat"],
        input="open back pain helper\ndo I need a scan\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert f"Alexa: {M.welcome}" in done.stdout
    assert f"Alexa: {CONTENT.topics['scan'].speech}" in done.stdout
    assert f"[card] {CONTENT.topics['scan'].title}" in done.stdout


# -- skill.chat.Chat directly ------------------------------------------------------------------


@pytest.fixture
def device(model: InteractionModel) -> Chat:
    return Chat(model)


def test_session_carries_attributes_between_turns(device: Chat) -> None:
    opened = device.say("open back pain helper")
    asked = device.say("do I need a scan")
    session = asked.request["session"]
    assert session["new"] is False
    assert session["sessionId"] == opened.request["session"]["sessionId"]
    assert session["attributes"] == opened.response["sessionAttributes"]
    # The scan answer offered the check; "yes" accepts the offer carried in the attributes.
    accepted = device.say("yes")
    assert accepted.request["session"]["attributes"] == asked.response["sessionAttributes"]
    assert accepted.speech.startswith(M.check_intro)
    assert QUESTIONS[0].ask in accepted.speech


def test_one_shot_request_is_a_new_session(device: Chat) -> None:
    exchange = device.say("ask back pain helper do I need a scan")
    session = exchange.request["session"]
    assert session["new"] is True
    assert "attributes" not in session
    assert exchange.request["request"]["type"] == "IntentRequest"
    assert exchange.request["request"]["intent"]["name"] == "ScanIntent"
    assert exchange.speech.startswith(f"{M.one_shot_notice} {CONTENT.topics['scan'].speech}")
    assert not exchange.ends_session


def test_invocation_mid_session_starts_a_new_session(device: Chat) -> None:
    first = device.say("open back pain helper")
    again = device.say("ask back pain helper can I take nurofen")
    assert again.request["session"]["new"] is True
    assert again.request["session"]["sessionId"] != first.request["session"]["sessionId"]
    slot = again.request["request"]["intent"]["slots"]["medicine"]
    resolution = slot["resolutions"]["resolutionsPerAuthority"][0]
    assert resolution["status"]["code"] == "ER_SUCCESS_MATCH"
    assert resolution["values"][0]["value"]["id"] == "IBUPROFEN"


def test_outcome_ends_the_session_and_next_text_starts_another(device: Chat) -> None:
    device.say("open back pain helper")
    device.say("check my symptoms")
    emergency = device.say("yes")
    assert emergency.ends_session
    assert "999" in emergency.speech
    assert device.session is None
    later = device.say("do I need a scan")
    assert later.request["session"]["new"] is True
    assert later.note is not None


def test_walking_away_sends_session_ended(device: Chat) -> None:
    device.say("open back pain helper")
    ended = device.close()
    assert ended is not None
    assert ended.request["request"]["type"] == "SessionEndedRequest"
    assert ended.request["request"]["reason"] == "USER_INITIATED"
    assert ended.speech == ""
    assert device.close() is None


@pytest.mark.parametrize(
    "typed", ["ask back pain helper", "talk to back pain helper", "Alexa, open back pain helper"]
)
def test_every_way_of_opening_the_skill_gets_the_welcome(typed: str) -> None:
    assert f"Alexa: {M.welcome}" in reply_to(chat(typed), typed)


def test_joining_words_of_a_one_shot_request_are_understood() -> None:
    typed = "alexa ask back pain helper if I need a scan"
    assert CONTENT.topics["scan"].speech in reply_to(chat(typed), typed)


def test_typed_acronyms_match_spelled_out_samples() -> None:
    typed = "when should I see my GP"
    assert CONTENT.topics["see_doctor"].speech in reply_to(chat(typed), typed)


def test_a_bit_to_an_emergency_question_is_a_yes_and_says_so() -> None:
    output = chat("open back pain helper", "check my symptoms", "a bit")
    final = after(output, "a bit")
    assert CONTENT.outcomes[Level.EMERGENCY].speech in final
    assert M.readback_partly.format(sign=QUESTIONS[0].readback) in final
    assert "(session ended)" in final


def test_with_a_screen_the_chat_shows_what_the_screen_shows_and_taps_its_buttons() -> None:
    output = chat(
        "open back pain helper",
        "tap do I need a scan?",
        "tap Yes",
        "tap no",
        "tap yes",
        options=("--screen",),
    )
    home = reply_to(output, "open back pain helper")
    assert f"[screen] {M.welcome_title}" in home
    assert f"[{M.screen_check}]" in home and "[Do I need a scan?]" in home
    scan = CONTENT.topics["scan"]
    topic = reply_to(output, "tap do I need a scan?")
    assert f"Alexa: {scan.speech}" in topic, "a tap is answered as if spoken"
    assert all(f"* {point}" in topic for point in scan.points)
    assert "Last reviewed 25 November 2026." in topic
    first = reply_to(output, "tap Yes")
    assert f"[screen] {M.check_title} · Question 1 of {len(QUESTIONS) + 1}" in first
    assert "buttons: [Yes]  [No]  [Not sure]" in first
    assert QUESTIONS[1].ask in reply_to(output, "tap no")
    final = after(output, "tap yes")
    assert "[screen] EMERGENCY: PHONE 999 OR GO TO A&E NOW  (the largest type)" in final
    assert "buttons:" not in final.split("[screen]")[1]


def test_without_a_screen_there_is_nothing_to_tap() -> None:
    output = chat("open back pain helper", "tap yes")
    assert "(nothing on the screen to tap" in reply_to(output, "tap yes")
    assert "[screen]" not in output


def test_tapping_a_button_that_is_not_there_says_which_are() -> None:
    output = chat("open back pain helper", "tap maybe", options=("--screen",))
    assert "no button 'maybe' on the screen (buttons: Check my symptoms" in output
