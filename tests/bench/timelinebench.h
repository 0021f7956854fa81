#pragma once
// The GUI figures of signalscope-bench (timelinebench.cpp): the timeline model's
// intake rate and the worst UI-thread stall while a scenario streams in. They
// need a QApplication (offscreen when no platform is set), which
// createBenchApplication() makes for the whole program.

#include <QCoreApplication>
#include <QJsonObject>
#include <QString>
#include <functional>
#include <memory>
#include <vector>

namespace ss {
class MainWindow;
}

namespace bench {

struct TimelineFigure
{
    QString id;
    bool eventsPerSec = false;  // value/baseline in events/s; otherwise in ns
    double value = 0;
    QString baselineName;
    double baseline = 0;
    double ratio = 0;           // higher is slower
    double target = 0;          // 0 = none
    QString note;
    QJsonObject extra;
};

// Makes the window's flame view the current timeline tab (flamebench.cpp).
void showFlameView(ss::MainWindow &window);

// A QApplication; sets QT_QPA_PLATFORM=offscreen first unless it is set.
std::unique_ptr<QCoreApplication> createBenchApplication(int &argc, char **argv);

// `quick`: sizes / 100. `reps`: timed repetitions of the intake figure.
std::vector<TimelineFigure> benchTimeline(bool quick, int reps, const std::function<void(const QString &)> &progress);

// The search / filter answer on 1M events alone (also part of benchTimeline).
std::vector<TimelineFigure> benchTimelineSearch(bool quick, const std::function<void(const QString &)> &progress);

// The flame view's figures (flamebench.cpp): repaint while zooming and panning
// at 1,000,000 events, against the same at 1,000.
std::vector<TimelineFigure> benchFlame(bool quick, int reps, const std::function<void(const QString &)> &progress);

} // namespace bench
