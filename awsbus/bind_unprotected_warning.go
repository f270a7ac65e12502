package awsbus

import (
	"errors"
	"strings"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// unprotectedBodies says what a KMS key without NewEncryption leaves open,
// and the remedy; the warning Bind logs and the degraded KMS check of
// Health both say it.
const unprotectedBodies = "the key encrypts the queues and topics at rest, " +
	"but message bodies are neither encrypted nor authenticated, so anyone allowed sqs:SendMessage or sns:Publish " +
	"on the service's destinations can send it commands and events; call awsbus.NewEncryption and place its " +
	"Encrypter and Decrypter in the service's pipeline with encryption.Use"

// errUnprotectedBodies is why the KMS check of a key without NewEncryption
// is degraded.
var errUnprotectedBodies = errors.New("NewEncryption was not called: " + unprotectedBodies)

// unprotectedWarning is the warning Bind logs when Config.KMSKeyID is set
// and NewEncryption was not called.
const unprotectedWarning = "awsbus: the transport has a KMS key (Config.KMSKeyID) but NewEncryption was not called " +
	"before Bind: " + unprotectedBodies + "; a service meant to rely on encryption at rest alone may ignore this"

// warnUnprotected logs unprotectedWarning (slogdefault.Warn: through
// Config.Logger, or slog's default at Warn when it is unset), naming the
// key and the destinations of p, unless the transport has no key or
// protected is set (NewEncryption was called).
func (t *Transport) warnUnprotected(p topology.Plan, protected bool) {
	if t.cfg.KMSKeyID == "" || protected {
		return
	}
	names := make([]string, 0, len(p.Destinations))
	for _, d := range p.Destinations {
		names = append(names, d.Name)
	}
	slogdefault.Warn(t.cfg.Logger, unprotectedWarning, watermill.LogFields{
		"service": p.Service, "kms_key": t.cfg.KMSKeyID, "destinations": strings.Join(names, ", "),
	})
}
