#include "sequencescene.h"

#include "signalstyle.h"

#include <QFontMetricsF>
#include <QImage>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>

namespace ss {

namespace {
constexpr qreal Margin = 12;
constexpr qreal HeaderHeight = 30;
constexpr qreal RowHeight = 26;
constexpr qreal MinGap = 110;
constexpr qreal MaxGap = 320;
constexpr qreal BarWidth = 10;
}

SequenceScene::SequenceScene(const SequenceDiagram &d, const QFont &font, bool dark)
    : m_font(font)
{
    const QFontMetricsF fm(font);
    const QColor ink = dark ? QColor(230, 230, 230) : QColor(30, 30, 30);
    const QColor faint = dark ? QColor(120, 120, 120) : QColor(160, 160, 160);
    const QColor paper = dark ? QColor(40, 42, 46) : QColor(255, 255, 255);
    const QColor error(0xd0, 0x10, 0x10);
    const int n = d.participants.size();
    if (n == 0) {
        m_size = QSizeF(300, 60);
        m_shapes.append({SceneShape::Box, QRectF(0, 0, 300, 60), {}, {}, paper, {}, 0, false, {}, 0, false});
        text(QRectF(0, 0, 300, 60), QStringLiteral("Select an action to see its sequence diagram."), Qt::AlignCenter, faint);
        return;
    }

    // Column gaps: wide enough for each participant's box and each message
    // text between adjacent columns (spread over the gaps it crosses).
    QVector<qreal> boxWidth(n), gap(std::max(0, n - 1), MinGap);
    QFont boldFont = font;
    boldFont.setBold(true);
    const QFontMetricsF bold(boldFont);
    auto boxLabel = [&](const SequenceParticipant &p) {
        return p.kind == SequenceParticipant::Receiver ? QStringLiteral("→ ") + p.label : p.label;
    };
    for (int i = 0; i < n; ++i)
        boxWidth[i] = std::max<qreal>(90, bold.horizontalAdvance(boxLabel(d.participants[i])) + 24);
    for (int i = 0; i + 1 < n; ++i)
        gap[i] = std::max(gap[i], (boxWidth[i] + boxWidth[i + 1]) / 2 + 16);
    for (const SequenceItem &item : d.items) {
        if ((item.kind != SequenceItem::Message && item.kind != SequenceItem::Return) || item.from == item.to)
            continue;
        const int a = std::min(item.from, item.to), b = std::max(item.from, item.to);
        qreal have = 0;
        for (int k = a; k < b; ++k)
            have += gap[k];
        const qreal need = std::min(fm.horizontalAdvance(item.text) + 30, MaxGap * (b - a));
        if (need > have)
            for (int k = a; k < b; ++k)
                gap[k] += (need - have) / (b - a);
    }
    QVector<qreal> x(n);
    x[0] = Margin + boxWidth[0] / 2;
    for (int i = 1; i < n; ++i)
        x[i] = x[i - 1] + gap[i - 1];
    const qreal width = x[n - 1] + boxWidth[n - 1] / 2 + Margin;

    // Rows.
    qreal y = Margin + HeaderHeight + 14;
    QVector<QVector<qreal>> open(n);        // activation starts per participant
    struct Bar { int who; qreal top; qreal bottom; int depth; };
    QVector<Bar> bars;
    struct Frame { qreal top; QString text; bool stopped; };
    QVector<Frame> frames;
    QVector<SceneShape> fragments, body;
    auto barX = [&](int who) { return x[who] + std::max(0, int(open[who].size()) - 1) * 4; };
    std::swap(m_shapes, body);
    for (const SequenceItem &item : d.items) {
        switch (item.kind) {
        case SequenceItem::Activate:
            open[item.from].append(y - RowHeight / 2 + 4);
            break;
        case SequenceItem::Deactivate:
            if (!open[item.from].isEmpty()) {
                const int depth = open[item.from].size() - 1;
                bars.append({item.from, open[item.from].takeLast(), y - 4, depth});
            }
            break;
        case SequenceItem::LoopBegin:
            frames.append({y, item.text, item.error});
            y += 22;
            break;
        case SequenceItem::LoopEnd:
            if (!frames.isEmpty()) {
                const Frame f = frames.takeLast();
                const qreal inset = frames.size() * 6;
                QColor band = f.stopped ? QColor(220, 40, 40) : QColor(255, 160, 0);
                QColor fill = band;
                fill.setAlpha(40);
                const QRectF r(Margin / 2 + inset, f.top, width - Margin - 2 * inset, y - f.top + 4);
                fragments.append({SceneShape::Box, r, {}, {}, fill, band, 1.5, false, {}, 0, false});
                const QString tag = QStringLiteral("loop");
                const QRectF tagRect(r.left(), r.top(), fm.horizontalAdvance(tag) + 14, 18);
                fragments.append({SceneShape::Box, tagRect, {}, {}, band, {}, 0, false, {}, 0, false});
                fragments.append({SceneShape::Text, tagRect, {}, {}, {}, QColor(255, 255, 255), 0, false, tag, Qt::AlignCenter, true});
                fragments.append({SceneShape::Text, QRectF(tagRect.right() + 6, r.top(), r.width() - tagRect.width() - 12, 18), {}, {},
                                  {}, f.stopped ? error : ink, 0, false,
                                  fm.elidedText(f.text, Qt::ElideRight, r.width() - tagRect.width() - 12), Qt::AlignVCenter | Qt::AlignLeft, true});
                y += 10;
            }
            break;
        case SequenceItem::Message:
        case SequenceItem::Return: {
            const qreal top = y;
            const QColor color = item.error ? error : ink;
            const qreal ay = y + RowHeight - 7;
            if (item.from == item.to) {
                const qreal x0 = barX(item.from) + BarWidth / 2;
                m_shapes.append({SceneShape::Line, {}, QLineF(x0, ay - 8, x0 + 30, ay - 8), {}, {}, color, 1.2, false, {}, 0, false});
                m_shapes.append({SceneShape::Line, {}, QLineF(x0 + 30, ay - 8, x0 + 30, ay), {}, {}, color, 1.2, false, {}, 0, false});
                arrow(x0 + 30, x0, ay, color, false, false);
                text(QRectF(x0 + 36, y, MaxGap, RowHeight - 8), item.text, Qt::AlignLeft | Qt::AlignVCenter, color);
            } else {
                const bool right = item.to > item.from;
                const qreal x1 = barX(item.from) + (right ? BarWidth / 2 : -BarWidth / 2) * (open[item.from].isEmpty() ? 0 : 1);
                const qreal x2 = x[item.to] + (right ? -BarWidth / 2 : BarWidth / 2);
                arrow(x1, x2, ay, color, item.kind == SequenceItem::Return, item.kind == SequenceItem::Return && item.error);
                const qreal left = std::min(x1, x2), span = std::abs(x2 - x1);
                text(QRectF(left + 4, y, span - 8, RowHeight - 9), fm.elidedText(item.text, Qt::ElideRight, span - 8),
                     Qt::AlignHCenter | Qt::AlignBottom, color);
            }
            y += RowHeight;
            const qreal a = x[item.from], b = x[item.to];
            m_rows.append({top, y, item.event, std::min(a, b) - 6, std::max(a, b) + (item.from == item.to ? 40 : 6)});
            break;
        }
        case SequenceItem::Note: {
            const qreal top = y;
            const qreal w = std::min(fm.horizontalAdvance(item.text) + 16, MaxGap);
            const qreal cx = x[item.from];
            const qreal left = std::clamp(cx - w / 2, Margin / 2, width - Margin / 2 - w);
            const QRectF r(left, y + 2, w, RowHeight - 4);
            m_shapes.append({SceneShape::Box, r, {}, {}, item.error ? QColor(255, 225, 225) : QColor(255, 248, 200),
                             item.error ? error : QColor(200, 170, 60), 1, false, {}, 0, false});
            text(r.adjusted(6, 0, -6, 0), fm.elidedText(item.text, Qt::ElideRight, w - 12), Qt::AlignVCenter | Qt::AlignLeft,
                 item.error ? error : QColor(60, 50, 0));
            y += RowHeight;
            m_rows.append({top, y, item.event, r.left(), r.right()});
            break;
        }
        }
    }
    for (int who = 0; who < n; ++who)
        while (!open[who].isEmpty())
            bars.append({who, open[who].takeLast(), y - 4, int(open[who].size())});
    const qreal bottom = y + 10;
    m_size = QSizeF(width, bottom + HeaderHeight + Margin);
    std::swap(m_shapes, body);

    // Back to front: paper, fragments, lifelines, activation bars, messages, boxes.
    m_shapes.append({SceneShape::Box, QRectF(QPointF(0, 0), m_size), {}, {}, paper, {}, 0, false, {}, 0, false});
    m_shapes += fragments;
    for (int i = 0; i < n; ++i)
        m_shapes.append({SceneShape::Line, {}, QLineF(x[i], Margin + HeaderHeight, x[i], bottom), {}, {}, faint, 1, true, {}, 0, false});
    for (const Bar &b : bars) {
        const SequenceParticipant &p = d.participants[b.who];
        const QColor c = p.kind == SequenceParticipant::Signal ? signalColor(p.label) : QColor(150, 160, 175);
        m_shapes.append({SceneShape::Box, QRectF(x[b.who] - BarWidth / 2 + b.depth * 4, b.top, BarWidth, b.bottom - b.top), {}, {},
                         c.lighter(160), c.darker(120), 1, false, {}, 0, false});
    }
    m_shapes += body;
    for (int i = 0; i < n; ++i) {
        const SequenceParticipant &p = d.participants[i];
        QColor c = p.kind == SequenceParticipant::Signal ? signalColor(p.label)
                 : p.kind == SequenceParticipant::Caller ? QColor(0x5b, 0x66, 0x78)
                 : p.kind == SequenceParticipant::Model  ? QColor(0x3d, 0x6e, 0xa8)
                                                         : QColor(0x6b, 0x6b, 0x6b);
        for (qreal top : {Margin, bottom}) {
            const QRectF r(x[i] - boxWidth[i] / 2, top, boxWidth[i], HeaderHeight);
            m_shapes.append({SceneShape::Box, r, {}, {}, c, c.darker(130), 1, false, {}, 0, false});
            m_shapes.append({SceneShape::Text, r, {}, {}, {}, QColor(255, 255, 255), 0, false, boxLabel(p), Qt::AlignCenter, true});
        }
    }
}

void SequenceScene::text(const QRectF &rect, const QString &t, int align, const QColor &color, bool bold)
{
    m_shapes.append({SceneShape::Text, rect, {}, {}, {}, color, 0, false, t, align, bold});
}

void SequenceScene::arrow(qreal x1, qreal x2, qreal y, const QColor &color, bool dashed, bool cross)
{
    m_shapes.append({SceneShape::Line, {}, QLineF(x1, y, x2, y), {}, {}, color, 1.3, dashed, {}, 0, false});
    const qreal dir = x2 >= x1 ? 1 : -1;
    if (cross) {
        m_shapes.append({SceneShape::Line, {}, QLineF(x2 - 5, y - 5, x2 + 5, y + 5), {}, {}, color, 2, false, {}, 0, false});
        m_shapes.append({SceneShape::Line, {}, QLineF(x2 - 5, y + 5, x2 + 5, y - 5), {}, {}, color, 2, false, {}, 0, false});
        return;
    }
    QPolygonF head;
    head << QPointF(x2, y) << QPointF(x2 - dir * 8, y - 4) << QPointF(x2 - dir * 8, y + 4);
    m_shapes.append({SceneShape::Arrowhead, {}, {}, head, color, {}, 0, false, {}, 0, false});
}

QRectF SequenceScene::itemOf(int event) const
{
    for (const Row &row : m_rows)
        if (row.event == event)
            return QRectF(row.left, row.top, row.right - row.left, row.bottom - row.top);
    return {};
}

int SequenceScene::eventAt(const QPointF &pos) const
{
    for (const Row &row : m_rows)
        if (pos.y() >= row.top && pos.y() < row.bottom)
            return row.event;
    return -1;
}

QRectF SequenceScene::rowOf(int event) const
{
    for (const Row &row : m_rows)
        if (row.event == event)
            return QRectF(0, row.top, m_size.width(), row.bottom - row.top);
    return {};
}

void SequenceScene::paint(QPainter &p) const
{
    p.save();
    p.setRenderHint(QPainter::Antialiasing);
    for (const SceneShape &s : m_shapes) {
        QPen pen = s.stroke.isValid() ? QPen(s.stroke, s.strokeWidth) : QPen(Qt::NoPen);
        if (s.dashed)
            pen.setStyle(Qt::DashLine);
        switch (s.kind) {
        case SceneShape::Box:
            p.setPen(pen);
            p.setBrush(s.fill.isValid() ? QBrush(s.fill) : QBrush(Qt::NoBrush));
            p.drawRect(s.rect);
            break;
        case SceneShape::Line:
            p.setPen(pen);
            p.drawLine(s.line);
            break;
        case SceneShape::Arrowhead:
            p.setPen(Qt::NoPen);
            p.setBrush(s.fill);
            p.drawPolygon(s.polygon);
            break;
        case SceneShape::Text: {
            QFont f = m_font;
            f.setBold(s.bold);
            p.setFont(f);
            p.setPen(s.stroke);
            p.drawText(s.rect, s.align, s.text);
            break;
        }
        }
    }
    p.restore();
}

QImage SequenceScene::toImage(qreal scale) const
{
    QImage image((m_size * scale).toSize(), QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter p(&image);
    p.scale(scale, scale);
    paint(p);
    p.end();
    return image;
}

static QString svgColor(const QColor &c)
{
    return c.isValid() ? c.name(QColor::HexRgb) : QStringLiteral("none");
}

static QString svgOpacity(const char *attribute, const QColor &c)
{
    return c.isValid() && c.alpha() < 255 ? QStringLiteral(" %1=\"%2\"").arg(QLatin1String(attribute)).arg(c.alphaF(), 0, 'f', 2) : QString();
}

QString SequenceScene::toSvg() const
{
    const QFontMetricsF fm(m_font);
    QString out;
    out += QStringLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                          "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%1\" height=\"%2\" viewBox=\"0 0 %1 %2\" "
                          "font-family=\"%3, sans-serif\" font-size=\"%4\">\n")
               .arg(qRound(m_size.width()))
               .arg(qRound(m_size.height()))
               .arg(m_font.family().toHtmlEscaped())
               .arg(m_font.pointSizeF() > 0 ? m_font.pointSizeF() * 4 / 3 : m_font.pixelSize());
    auto num = [](qreal v) { return QString::number(v, 'f', 1); };
    for (const SceneShape &s : m_shapes) {
        switch (s.kind) {
        case SceneShape::Box:
            out += QStringLiteral("<rect x=\"%1\" y=\"%2\" width=\"%3\" height=\"%4\" fill=\"%5\"%6 stroke=\"%7\"%8 stroke-width=\"%9\"/>\n")
                       .arg(num(s.rect.x()), num(s.rect.y()), num(s.rect.width()), num(s.rect.height()), svgColor(s.fill),
                            svgOpacity("fill-opacity", s.fill), svgColor(s.stroke), svgOpacity("stroke-opacity", s.stroke),
                            num(s.strokeWidth));
            break;
        case SceneShape::Line:
            out += QStringLiteral("<line x1=\"%1\" y1=\"%2\" x2=\"%3\" y2=\"%4\" stroke=\"%5\" stroke-width=\"%6\"%7/>\n")
                       .arg(num(s.line.x1()), num(s.line.y1()), num(s.line.x2()), num(s.line.y2()), svgColor(s.stroke),
                            num(s.strokeWidth), s.dashed ? QStringLiteral(" stroke-dasharray=\"4 3\"") : QString());
            break;
        case SceneShape::Arrowhead: {
            QStringList points;
            for (const QPointF &pt : s.polygon)
                points << num(pt.x()) + QLatin1Char(',') + num(pt.y());
            out += QStringLiteral("<polygon points=\"%1\" fill=\"%2\"/>\n").arg(points.join(QLatin1Char(' ')), svgColor(s.fill));
            break;
        }
        case SceneShape::Text: {
            QString anchor = QStringLiteral("start");
            qreal x = s.rect.left();
            if (s.align & Qt::AlignHCenter) {
                anchor = QStringLiteral("middle");
                x = s.rect.center().x();
            } else if (s.align & Qt::AlignRight) {
                anchor = QStringLiteral("end");
                x = s.rect.right();
            }
            qreal y = s.rect.center().y() + (fm.ascent() - fm.descent()) / 2;
            if (s.align & Qt::AlignBottom)
                y = s.rect.bottom() - fm.descent();
            out += QStringLiteral("<text x=\"%1\" y=\"%2\" text-anchor=\"%3\" fill=\"%4\"%5>%6</text>\n")
                       .arg(num(x), num(y), anchor, svgColor(s.stroke), s.bold ? QStringLiteral(" font-weight=\"bold\"") : QString(),
                            s.text.toHtmlEscaped());
            break;
        }
        }
    }
    out += QStringLiteral("</svg>\n");
    return out;
}

} // namespace ss
