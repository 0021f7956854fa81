#include "deletepreviewdialog.h"

#include "deletepreviewmodel.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QPushButton>
#include <QTreeView>
#include <QVBoxLayout>

namespace ss {

DeletePreviewDialog::DeletePreviewDialog(const DeletePreview &preview, QWidget *parent)
    : QDialog(parent), m_model(new DeletePreviewModel(this)), m_view(new QTreeView(this))
{
    setObjectName(QStringLiteral("deletePreviewDialog"));
    setWindowTitle(tr("Delete — %1").arg(preview.code));
    auto *layout = new QVBoxLayout(this);
    auto *code = new QLabel(QStringLiteral("<code>%1</code>").arg(preview.code.toHtmlEscaped()), this);
    code->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(code);
    if (!preview.errorType.isEmpty()) {
        auto *refused = new QLabel(tr("<p style='color:#d33'>Django will refuse: <b>%1</b>: %2</p>")
                                       .arg(preview.errorType, preview.errorMessage.toHtmlEscaped()), this);
        refused->setObjectName(QStringLiteral("deleteRefusal"));
        refused->setWordWrap(true);
        refused->setTextInteractionFlags(Qt::TextSelectableByMouse);
        layout->addWidget(refused);
    }
    m_model->setPreview(preview);
    m_view->setModel(m_model);
    m_view->setHeaderHidden(true);
    m_view->setUniformRowHeights(true);
    m_view->expandAll();
    layout->addWidget(m_view, 1);
    auto *note = new QLabel(tr("<small>This plan was made without running anything: no signal was sent and no "
                               "receiver was called. Auto-created through rows get no delete signals; no "
                               "<code>m2m_changed</code> is sent. A receiver that changes rows while the delete "
                               "runs makes the real delete differ — the timeline shows what happened.</small>"), this);
    note->setWordWrap(true);
    layout->addWidget(note);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(preview.errorType.isEmpty() ? tr("Delete") : tr("Try anyway"));
    buttons->button(QDialogButtonBox::Cancel)->setDefault(true);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    layout->addWidget(buttons);
    resize(640, 520);
}

} // namespace ss
