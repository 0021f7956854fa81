#pragma once
// What the painted views dim: the events the tree's filters (kinds, model,
// search) hide. A picture keeps every event, so time stays to scale and the
// matches show where they sit among the rest; the hidden ones are drawn faint.
// The view repaints when the filter is applied again.

#include "timelinefilter.h"

#include <QPointer>
#include <QWidget>

namespace ss {

class FilterDimming
{
public:
    void attach(const TimelineFilter *filter, QWidget *view)
    {
        QObject::disconnect(m_applied);
        m_filter = filter;
        if (filter)
            m_applied = QObject::connect(filter, &TimelineFilter::filterApplied, view, qOverload<>(&QWidget::update));
        view->update();
    }

    bool dims(int event) const { return m_filter && m_filter->hides(event); }

private:
    QPointer<const TimelineFilter> m_filter;
    QMetaObject::Connection m_applied;
};

} // namespace ss
