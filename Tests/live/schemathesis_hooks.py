"""Loaded by schemathesis (SCHEMATHESIS_HOOKS): how to generate values of the API's own string formats.

`emoji` (api-spec/openapi.yaml, components.schemas.Emoji) is one Unicode emoji sequence. The strategy builds the
kinds of sequence the format names: emoji shown as emoji, with a skin-tone modifier, text-default characters with
variation selector 16, keycaps, flags (a pair of regional indicators), subdivision flags (tag characters) and
zero-width-joiner sequences. Plain strings are not generated: the format refuses them, and the spec says so."""
from hypothesis import strategies as st
import schemathesis

# Characters displayed as emoji by default (Emoji_Presentation).
PRESENTED = ["👍", "👎", "👋", "👏", "🙏", "💪", "🎉", "🔥", "✅", "👀", "😂", "😀", "🚀", "💯", "🤝", "🫶", "💻", "👩",
             "👨", "🧑", "🐱", "🌍", "⌛", "⭐", "🤔", "🥳"]
# Those of them that take a skin-tone modifier (Emoji_Modifier_Base).
MODIFIABLE = ["👍", "👎", "👋", "👏", "🙏", "💪", "👩", "👨", "🧑"]
# Characters displayed as text by default, which variation selector 16 makes emoji.
TEXT_DEFAULT = ["❤", "☺", "✌", "☀", "✈", "♻", "✔", "⚠"]
SKIN_TONES = [chr(code) for code in range(0x1F3FB, 0x1F400)]
REGIONAL_INDICATORS = [chr(code) for code in range(0x1F1E6, 0x1F200)]
VS16, ZWJ, KEYCAP = "\ufe0f", "\u200d", "\u20e3"

presented = st.sampled_from(PRESENTED)
modified = st.builds(str.__add__, st.sampled_from(MODIFIABLE), st.sampled_from(SKIN_TONES))
selected = st.sampled_from(TEXT_DEFAULT).map(lambda text: text + VS16)
keycaps = st.sampled_from(list("0123456789#*")).map(lambda key: key + VS16 + KEYCAP)
flags = st.tuples(st.sampled_from(REGIONAL_INDICATORS), st.sampled_from(REGIONAL_INDICATORS)).map("".join)
subdivision = st.sampled_from(["gbeng", "gbsct", "gbwls"]).map(
    lambda code: "🏴" + "".join(chr(0xE0000 + ord(letter)) for letter in code) + "\U000E007F")
joined = st.lists(st.one_of(presented, modified), min_size=2, max_size=3).map(ZWJ.join)

schemathesis.openapi.format("emoji", st.one_of(presented, modified, selected, keycaps, flags, subdivision, joined))
