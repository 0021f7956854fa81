#pragma once
// An exception as Django would raise it: the class name and its first argument.
// Everything the engine throws while running an operation is one of these, so a
// step's error line (section 4.3 of the contract) is simply `type` and `message`.

#include <QString>
#include <exception>

namespace ss {

class DjangoError : public std::exception
{
public:
    DjangoError(QString type, QString message)
        : m_type(std::move(type)), m_message(std::move(message)), m_what(m_message.toUtf8()) {}

    const QString &type() const { return m_type; }
    const QString &message() const { return m_message; }
    const char *what() const noexcept override { return m_what.constData(); }

private:
    QString m_type;
    QString m_message;
    QByteArray m_what;
};

} // namespace ss
