#pragma once
// The inspector's view: a QTextBrowser that wraps at the view's width, never
// inside a token (the HTML marks where it may: see breakBetweenTokens), and
// copies text without those invisible marks.

#include <QTextBrowser>

namespace ss {

class InspectorView : public QTextBrowser
{
    Q_OBJECT
public:
    explicit InspectorView(QWidget *parent = nullptr);
    // The text as a reader sees it (no zero-width spaces).
    QString visibleText() const;

protected:
    QMimeData *createMimeDataFromSelection() const override;
};

} // namespace ss
