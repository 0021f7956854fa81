#pragma once
// A SequenceDiagram laid out as shapes (boxes, lines, arrows, texts), drawn by
// one painter for the widget and PNG export and written as SVG text for the
// same picture without the Qt SVG module. Message rows remember their event,
// so a click in the view selects it.

#include "sequencediagram.h"

#include <QColor>
#include <QFont>
#include <QLineF>
#include <QPolygonF>
#include <QRectF>
#include <QVector>

class QPainter;
class QImage;

namespace ss {

struct SceneShape
{
    enum Kind { Box, Line, Arrowhead, Text };
    Kind kind = Box;
    QRectF rect;                // Box, Text
    QLineF line;                // Line
    QPolygonF polygon;          // Arrowhead
    QColor fill;                // invalid: none
    QColor stroke;              // invalid: none
    qreal strokeWidth = 1;
    bool dashed = false;
    QString text;
    int align = 0;              // Qt::Alignment for Text
    bool bold = false;
};

class SequenceScene
{
public:
    SequenceScene(const SequenceDiagram &diagram, const QFont &font, bool dark = false);

    QSizeF size() const { return m_size; }
    const QVector<SceneShape> &shapes() const { return m_shapes; }
    // The event of the message or note drawn at `pos`, -1 when none.
    int eventAt(const QPointF &pos) const;
    // Where the row of `event` lies (for scrolling to it); empty when absent.
    QRectF rowOf(int event) const;
    // The message's arrow or the note's box on that row.
    QRectF itemOf(int event) const;

    void paint(QPainter &painter) const;
    QImage toImage(qreal scale = 1) const;
    QString toSvg() const;

private:
    void text(const QRectF &rect, const QString &text, int align, const QColor &color, bool bold = false);
    void arrow(qreal x1, qreal x2, qreal y, const QColor &color, bool dashed, bool cross);

    QFont m_font;
    QSizeF m_size;
    QVector<SceneShape> m_shapes;
    struct Row { qreal top; qreal bottom; int event; qreal left; qreal right; };
    QVector<Row> m_rows;
};

} // namespace ss
