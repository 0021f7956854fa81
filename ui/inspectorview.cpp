#include "inspectorview.h"

#include "inspector.h"

#include <QMimeData>
#include <QTextDocumentFragment>

namespace ss {

InspectorView::InspectorView(QWidget *parent)
    : QTextBrowser(parent)
{
    setObjectName(QStringLiteral("inspector"));
    setLineWrapMode(QTextEdit::WidgetWidth);
    // Between words (and at the marks breakBetweenTokens puts), anywhere only
    // for a single token wider than the whole view.
    setWordWrapMode(QTextOption::WrapAtWordBoundaryOrAnywhere);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);
}

QString InspectorView::visibleText() const
{
    return toPlainText().remove(QChar(ZeroWidthSpace));
}

QMimeData *InspectorView::createMimeDataFromSelection() const
{
    auto *data = new QMimeData;
    data->setText(textCursor().selection().toPlainText().remove(QChar(ZeroWidthSpace)));
    return data;
}

} // namespace ss
