#pragma once
// The dialog before a delete: the plan of a dry-run collector
// (DeletePreviewModel), read before anything happens. Delete runs it;
// Cancel leaves everything as it was — the preview itself changed nothing.

#include <QDialog>

class QTreeView;

namespace ss {

struct DeletePreview;
class DeletePreviewModel;

class DeletePreviewDialog : public QDialog
{
    Q_OBJECT
public:
    DeletePreviewDialog(const DeletePreview &preview, QWidget *parent = nullptr);
    DeletePreviewModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }

private:
    DeletePreviewModel *m_model;
    QTreeView *m_view;
};

} // namespace ss
