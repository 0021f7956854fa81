#pragma once
// The status bar's two texts: the database (what it is, the app, how many
// rows) and the recording (events, loops, paused). Rows are counted with
// COUNT(*) per table only when the data changed (databaseChanged, a new
// schema), never on the timeline's batches, which only refresh the event count.

#include <QObject>
#include <QString>

namespace ss {

class Session;

class StatusCounts : public QObject
{
    Q_OBJECT
public:
    explicit StatusCounts(Session *session, QObject *parent = nullptr);

    QString databaseText() const { return m_databaseText; }
    QString eventsText() const { return m_eventsText; }
    qint64 rows() const { return m_rows; }
    int rowCounts() const { return m_counts; }      // how many times the tables were counted

public Q_SLOTS:
    void countRows();           // the data changed: COUNT(*) again
    void refresh();             // the recording changed: texts again, no query

Q_SIGNALS:
    void changed();

private:
    Session *m_session;
    qint64 m_rows = 0;
    int m_counts = 0;
    QString m_databaseText;
    QString m_eventsText;
};

} // namespace ss
