#pragma once
// The delete preview as a tree for the dialog: the rows that will go (in the
// collector's order), the related rows Django reads first (their pre_init /
// post_init), the signals in order with the receivers each will call, and the
// SET_NULL / SET_DEFAULT updates. A refusal (ProtectedError, RestrictedError)
// is a section of its own, in Django's words. Read-only.

#include "model/deleteplan.h"

#include <QStandardItemModel>

namespace ss {

class DeletePreviewModel : public QStandardItemModel
{
    Q_OBJECT
public:
    explicit DeletePreviewModel(QObject *parent = nullptr);

    void setPreview(const DeletePreview &preview);
    const DeletePreview &preview() const { return m_preview; }

    // The section titles, in the order they appear (for tests and the dialog).
    static QString refusedTitle();
    static QString rowsTitle();
    static QString loadsTitle();
    static QString signalsTitle();
    static QString updatesTitle();

private:
    DeletePreview m_preview;
};

} // namespace ss
