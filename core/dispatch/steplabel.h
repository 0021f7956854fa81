#pragma once
// A step's label: the Django code line a timeline or an export shows for it
// ("User.objects.create(username='ann')"). Building it means spelling the
// step's values as Python, which is worth doing only for the steps someone
// looks at: a scenario hands its steps' labels as a StepLabels to ask later,
// and a headless run writing the canonical trace (which has no code lines)
// never builds one. A window's own action knows its code already: a text.

#include <QString>
#include <memory>

namespace ss {

// Builds the label of a step on request. Shared by the recordings that may
// ask, so it must own (or share) what it reads: it may outlive its runner.
class StepLabels
{
public:
    virtual ~StepLabels() = default;
    virtual QString stepLabel(int step) const = 0;
};

class StepLabel
{
public:
    StepLabel() = default;
    // A text is a label (implicit: stepBegin(0, QStringLiteral("c.save()")) reads as it means).
    StepLabel(const QString &text) : m_text(text) {}   // NOLINT(google-explicit-constructor)
    // The label of `step`, asked of `labels` when wanted.
    StepLabel(std::shared_ptr<const StepLabels> labels, int step) : m_labels(std::move(labels)), m_step(step) {}

    bool isDeferred() const { return bool(m_labels); }
    // The text, built now for a deferred label (each call builds it again:
    // a listener that keeps it asks once).
    QString text() const { return m_labels ? m_labels->stepLabel(m_step) : m_text; }
    const std::shared_ptr<const StepLabels> &labels() const { return m_labels; }
    int step() const { return m_step; }

private:
    QString m_text;
    std::shared_ptr<const StepLabels> m_labels;
    int m_step = 0;
};

} // namespace ss
