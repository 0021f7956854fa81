#pragma once
// The bundled samples (resources/samples/*.scenario.json), in teaching order,
// each with its title and one-line lesson read from the scenario itself.

#include <QString>
#include <QVector>

namespace ss {

struct SampleInfo
{
    QString name;           // "shop"
    QString path;           // ":/samples/shop.scenario.json"
    QString title;          // the scenario's name ("shop: a billing profile on signup")
    QString lesson;         // its one-line description

    // The Samples menu's entry: the whole title, never cut, the name once
    // ("shop — a billing profile on signup"); the lesson when there is no title.
    QString menuText() const;
};

// Every bundled sample that is there, in teaching order.
QVector<SampleInfo> bundledSamples();
QString samplePath(const QString &name);

} // namespace ss
