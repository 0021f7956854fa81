#pragma once
// Text for the inspector and the schema panel: what an event was, with every
// argument as Django passed it, the instance's values (for pre_save beside
// the stored ones), the receivers called and their outcome, and for loops the
// cycle in words with the usual fixes.

#include <QString>

namespace ss {

class Session;
struct ReceiverDecl;

QString inspectorHtml(Session &session, int event);
// `text` with a zero-width space after each token-ending punctuation mark
// (. ( [ { = , : /) that a token follows: where the inspector may wrap.
QString breakBetweenTokens(const QString &text);
inline constexpr char16_t ZeroWidthSpace = u'\u200B';
// `canMute`: the session has a schema whose receivers can be muted (not a recorded process).
QString loopFixesHtml(bool canMute = true);

} // namespace ss
