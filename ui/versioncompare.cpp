#include "versioncompare.h"

#include "versioncomparemodel.h"

#include "db/backend.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QPushButton>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ss {

// --- the selector --------------------------------------------------------------------

DjangoVersionSelector::DjangoVersionSelector(Session *session, QWidget *parent)
    : QComboBox(parent), m_session(session)
{
    setObjectName(QStringLiteral("djangoVersion"));
    for (DjangoVersion version : djangoVersions())
        addItem(tr("Django %1").arg(djangoVersionName(version)), int(version));
    setToolTip(tr("The Django version SignalScope reproduces. Changing it restarts the scenario "
                  "(a fresh database, an empty timeline), as Reset does."));
    showVersion(session->djangoVersion());
    connect(this, &QComboBox::activated, this, [this](int index) {
        m_session->setDjangoVersion(DjangoVersion(itemData(index).toInt()));
        m_session->bridge().flush();
    });
    connect(session, &Session::djangoVersionChanged, this, &DjangoVersionSelector::showVersion);
}

void DjangoVersionSelector::showVersion(DjangoVersion version)
{
    const int index = findData(int(version));
    if (index >= 0 && index != currentIndex())
        setCurrentIndex(index);
}

// --- the comparison ------------------------------------------------------------------

VersionCompareDialog::VersionCompareDialog(Session *session, QWidget *parent)
    : QDialog(parent), m_session(session), m_model(new VersionCompareModel(this))
{
    setObjectName(QStringLiteral("versionCompare"));
    setWindowTitle(tr("Django 3.2 and 5.0 side by side"));
    resize(1200, 700);

    m_title = new QLabel(this);
    m_title->setTextFormat(Qt::RichText);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("compareSummary"));
    m_summary->setWordWrap(true);
    auto *legend = new QLabel(this);
    legend->setTextFormat(Qt::RichText);
    auto swatch = [](const char *color, const QString &text) {
        return QStringLiteral("<span style='background:%1'>&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;%2&nbsp;&nbsp;&nbsp;")
            .arg(QLatin1String(color), text.toHtmlEscaped());
    };
    legend->setText(swatch("#ffcdcd", tr("only under 3.2")) + swatch("#c8f0c8", tr("only under 5.0"))
                    + swatch("#ffd6aa", tr("a row 5.0 does not load (SET_NULL / SET_DEFAULT)"))
                    + swatch("#fff3b9", tr("differs: origin, an error text")));
    m_differencesOnly = new QCheckBox(tr("Only the lines that differ"), this);
    m_differencesOnly->setObjectName(QStringLiteral("differencesOnly"));

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("compareView"));
    m_view->setModel(m_model);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(CompareColumn::Step, QHeaderView::ResizeToContents);
    m_view->horizontalHeader()->setSectionResizeMode(CompareColumn::Left, QHeaderView::Interactive);
    m_view->horizontalHeader()->setSectionResizeMode(CompareColumn::Right, QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setColumnWidth(CompareColumn::Left, 330);
    m_view->setColumnWidth(CompareColumn::Right, 420);

    m_details = new QTextBrowser(this);
    m_details->setObjectName(QStringLiteral("compareDetails"));
    auto *split = new QSplitter(Qt::Vertical, this);
    split->addWidget(m_view);
    split->addWidget(m_details);
    split->setStretchFactor(0, 4);
    split->setStretchFactor(1, 1);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    QPushButton *again = buttons->addButton(tr("Run again"), QDialogButtonBox::ActionRole);
    connect(again, &QPushButton::clicked, this, [this] { compare(); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_summary);
    layout->addWidget(legend);
    layout->addWidget(m_differencesOnly);
    layout->addWidget(split, 1);
    layout->addWidget(buttons);

    connect(m_differencesOnly, &QCheckBox::toggled, m_model, &VersionCompareModel::setDifferencesOnly);
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this, &VersionCompareDialog::showDetails);
    connect(m_model, &QAbstractItemModel::modelReset, this, &VersionCompareDialog::showDetails);
}

bool VersionCompareDialog::compare()
{
    const ScenarioDecl &scenario = m_session->scenario();
    const QString name = scenario.name.isEmpty() ? tr("(no scenario)") : scenario.name;
    m_title->setText(tr("<b>%1</b> — %n step(s), each version on a fresh database", nullptr, int(scenario.steps.size()))
                         .arg(name.toHtmlEscaped()));
    // A server database is used as the session uses it (a fresh database per
    // run); a SQLite file is left alone: both runs are in memory.
    const QString location = Session::defaultDatabase();
    const QString database = Backend::isServerUrl(location) ? location : QStringLiteral(":memory:");
    VersionComparison comparison;
    QString error;
    QApplication::setOverrideCursor(Qt::WaitCursor);
    const bool ok = comparison.run(scenario, DjangoVersion::V3_2, DjangoVersion::V5_0, database, &error);
    QApplication::restoreOverrideCursor();
    if (!ok) {
        m_summary->setText(tr("The comparison could not run: %1").arg(error));
        m_summary->setStyleSheet(QStringLiteral("QLabel { background: rgba(220,40,40,60); padding: 4px; }"));
        m_model->setComparison(VersionComparison());
        return false;
    }
    m_summary->setStyleSheet(QString());
    m_summary->setText(comparison.summary());
    m_model->setComparison(std::move(comparison));
    // Start at the first line that differs: that is what the view is for.
    for (int row = 0; row < m_model->rowCount(); ++row) {
        if (m_model->comparedRow(row).kind != ComparedRow::Kind::Same) {
            m_view->setCurrentIndex(m_model->index(row, CompareColumn::Left));
            m_view->scrollTo(m_model->index(row, CompareColumn::Left), QAbstractItemView::PositionAtCenter);
            break;
        }
    }
    return true;
}

void VersionCompareDialog::showDetails()
{
    const QModelIndex current = m_view->currentIndex();
    if (!current.isValid()) {
        m_details->setHtml(tr("<p>Select a line to see both versions' canonical lines and the step's Django code.</p>"));
        return;
    }
    const ComparedRow &row = m_model->comparedRow(current.row());
    const QString left = m_model->index(current.row(), CompareColumn::Left).data(CanonicalLineRole).toString();
    const QString right = m_model->index(current.row(), CompareColumn::Right).data(CanonicalLineRole).toString();
    auto code = [](const QString &text) {
        return text.isEmpty() ? QStringLiteral("<i>no such line</i>") : QStringLiteral("<code>%1</code>").arg(text.toHtmlEscaped());
    };
    m_details->setHtml(QStringLiteral("<p><b>Step %1</b>: <code>%2</code></p><p>%3</p><p>3.2: %4</p><p>5.0: %5</p>")
                           .arg(row.step)
                           .arg(m_model->comparison().stepCode(row.step).toHtmlEscaped(),
                                row.note.isEmpty() ? tr("The same under both versions.") : row.note.toHtmlEscaped(), code(left),
                                code(right)));
}

void installDjangoVersionControls(QMainWindow *window, QMenu *menu, Session *session)
{
    window->statusBar()->addPermanentWidget(new DjangoVersionSelector(session, window));
    QAction *compare = menu->addAction(QObject::tr("&Compare Django 3.2 and 5.0…"));
    compare->setObjectName(QStringLiteral("compareVersions"));
    compare->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_D));
    compare->setToolTip(QObject::tr("Run this scenario under Django 3.2 and 5.0 and show the two timelines side by side"));
    QObject::connect(compare, &QAction::triggered, window, [window, session] {
        auto *dialog = new VersionCompareDialog(session, window);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->compare();
        dialog->show();
    });
}

} // namespace ss
