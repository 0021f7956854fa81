#pragma once
// Values as the engine passes them around.
//
// A field value, a signal argument or a literal from a scenario is a JSON-like
// scalar (QCborValue keeps integers and floats apart, which the trace needs:
// Python prints 7.0 for a float field), or a live model instance: receivers and
// later steps see the very same object, as in Python.

#include <QCborValue>
#include <QCborMap>
#include <QCborArray>
#include <QString>
#include <memory>
#include <optional>

namespace ss {

class Instance;
using InstancePtr = std::shared_ptr<Instance>;

class Value
{
public:
    Value() = default;
    Value(QCborValue scalar) : m_scalar(scalar.isUndefined() ? QCborValue(nullptr) : std::move(scalar)) {}
    Value(InstancePtr instance) : m_instance(std::move(instance)) {}

    bool isNull() const { return !m_instance && (m_scalar.isNull() || m_scalar.isUndefined()); }
    bool isInstance() const { return bool(m_instance); }
    const InstancePtr &instance() const { return m_instance; }
    const QCborValue &scalar() const { return m_scalar; }

    // The value as the trace encodes it at this moment: an instance becomes
    // {"model": <name>, "pk": <pk now>} (section 4.2), scalars stay as they are.
    QCborValue freeze() const;

private:
    QCborValue m_scalar = QCborValue(nullptr);
    InstancePtr m_instance;       // set for instances; m_scalar is then ignored
};

// JSON equality as the contract defines it: 1 == 1.0, true != 1, maps by keys.
bool jsonEquals(const QCborValue &a, const QCborValue &b);

// Compact JSON with sorted keys and no spaces, floats as Python prints them:
// the canonical trace's encoding (section 4), byte-stable.
// UTF-8 as the oracle writes it (json.dumps(..., ensure_ascii=False));
// `asciiOnly` escapes non-ASCII as \uXXXX instead.
void appendCanonicalJson(QByteArray &out, const QCborValue &value, bool asciiOnly = false);
QByteArray canonicalJson(const QCborValue &value, bool asciiOnly = false);

// A value as scenarios and receivers write it (section 2): a literal, or a
// reference "$name" / "$name.attr". Returns the reference without its "$",
// or nullopt and the literal in `literal` ("$$" escapes a literal "$").
std::optional<QString> splitReference(const QCborValue &value, QCborValue *literal);

// Text for a placeholder in notify/raise (section 2): strings as they are,
// anything else as compact JSON with keys sorted and non-ASCII kept.
QString placeholderText(const QCborValue &value);

} // namespace ss
