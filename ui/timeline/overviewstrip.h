#pragma once
// The whole run in one strip above the flame view (Perfetto's overview): the
// top rows of the flame squeezed to the full width, the visible window marked.
// Click or drag to move the window there.

#include <QWidget>

namespace ss {

class FlameIndex;
class ZoomState;

class OverviewStrip : public QWidget
{
    Q_OBJECT
public:
    OverviewStrip(const FlameIndex *index, ZoomState *zoom, QWidget *parent = nullptr);
    QSize sizeHint() const override { return {400, 34}; }
    QSize minimumSizeHint() const override { return {60, 34}; }

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;

private:
    void centreAt(double x);

    const FlameIndex *m_index;
    ZoomState *m_zoom;
};

} // namespace ss
