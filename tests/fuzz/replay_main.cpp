// Replays inputs through a fuzz target's LLVMFuzzerTestOneInput without
// libFuzzer, so the regressions (and the seed corpus) run in every build:
//
//   fuzz_replay_<target> [--max-seconds N] FILE_OR_DIR...
//
// A directory stands for every regular file in it (sorted, hidden files
// skipped). A crash is a crash of this process (CTest reports it); an input
// that takes longer than --max-seconds (default 10) fails the run, so a
// "slow-unit" input that was fixed stays fixed.
#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
    double maxSeconds = 10.0;
    QStringList files;
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--max-seconds") == 0 && i + 1 < argc) {
            maxSeconds = std::atof(argv[++i]);
            continue;
        }
        const QString path = QFile::decodeName(argv[i]);
        const QFileInfo info(path);
        if (info.isDir()) {
            const QDir dir(path);
            for (const QString &name : dir.entryList(QDir::Files, QDir::Name))
                files << dir.filePath(name);
        } else if (info.isFile()) {
            files << path;
        } else {
            std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            return 2;
        }
    }
    int slow = 0;
    double slowest = 0;
    QString slowestName;
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "replay: cannot read %s\n", qPrintable(path));
            return 2;
        }
        // A private copy: the fuzz entry must not read past `size`, and ASan
        // sees it if it does.
        const QByteArray bytes = file.readAll();
        auto *copy = static_cast<uint8_t *>(std::malloc(bytes.size() ? size_t(bytes.size()) : 1));
        if (bytes.size())
            std::memcpy(copy, bytes.constData(), size_t(bytes.size()));
        QElapsedTimer timer;
        timer.start();
        LLVMFuzzerTestOneInput(copy, size_t(bytes.size()));
        const double seconds = double(timer.nsecsElapsed()) / 1e9;
        std::free(copy);
        if (seconds > slowest) {
            slowest = seconds;
            slowestName = path;
        }
        if (seconds > maxSeconds) {
            std::fprintf(stderr, "replay: %s took %.2f s (limit %.2f s)\n", qPrintable(path), seconds, maxSeconds);
            ++slow;
        }
    }
    std::printf("replay: %lld inputs, slowest %.3f s (%s)\n", static_cast<long long>(files.size()), slowest,
                qPrintable(slowestName));
    return slow ? 1 : 0;
}
