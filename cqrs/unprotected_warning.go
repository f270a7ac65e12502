package cqrs

import (
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"

	"github.com/ThreeDotsLabs/watermill"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/slogdefault"
)

// The warnings Start logs when the service's transport has a KMS key
// (keyedTransport) while its pipeline lacks the Decrypter or the
// Encrypter of package middleware/encryption.
const (
	unprotectedConsumeWarning = "cqrs: the service's transport has a KMS key, which encrypts its queues and topics at rest, " +
		"but ServiceConfig.HandlerMiddleware holds no encryption Decrypter: the message bodies it handles are neither encrypted nor authenticated, " +
		"so anyone allowed sqs:SendMessage or sns:Publish on the destinations it listens to can send it commands and events that it handles. " +
		unprotectedRemedy
	unprotectedProduceWarning = "cqrs: the service's transport has a KMS key, which encrypts its queues and topics at rest, " +
		"but ServiceConfig.PublisherDecorators holds no encryption Encrypter: the message bodies it sends are neither encrypted nor authenticated, " +
		"so whoever may receive them reads them, and a consumer with a Decrypter dead-letters them. " +
		unprotectedRemedy
	unprotectedRemedy = "To encrypt and authenticate them, call awsbus.NewEncryption and place its Encrypter and Decrypter with encryption.Use " +
		"(or put Decrypter.Middleware in HandlerMiddleware and Encrypter.DecoratePublisher in PublisherDecorators); " +
		"a service meant to rely on encryption at rest alone may ignore this"
)

// The names of the methods of package middleware/encryption whose method
// values (a Decrypter's Middleware, an Encrypter's DecoratePublisher, as
// encryption.Use places them) protect message bodies. The model does not
// import that package, so it recognises them by name.
const (
	decrypterMiddleware = "github.com/sourceflow-go/sourceflow/middleware/encryption.(*Decrypter).Middleware"
	encrypterDecorator  = "github.com/sourceflow-go/sourceflow/middleware/encryption.(*Encrypter).DecoratePublisher"
)

// keyedTransport is a transport of another package whose destinations are
// encrypted at rest under a KMS key (awsbus.Transport, whose KMSKeyID is
// its Config.KMSKeyID); an empty key is none.
type keyedTransport interface {
	KMSKeyID() string
}

// kmsKeyOf returns the KMS key of t: its own (keyedTransport), that of the
// first of a HybridTransport's transports that has one, or that of the
// transport a transport in front of another (innerTransport) is in front
// of, up to depth of them.
func kmsKeyOf(t Transport, depth int) string {
	switch t := t.(type) {
	case *HybridTransport:
		for _, inner := range t.transports {
			if key := kmsKeyOf(inner, depth); key != "" {
				return key
			}
		}
	case keyedTransport:
		return t.KMSKeyID()
	case innerTransport:
		if depth > 0 {
			return kmsKeyOf(t.Inner(), depth-1)
		}
	}
	return ""
}

// warnUnprotected logs unprotectedConsumeWarning when the service listens
// to destinations of a transport with a KMS key without a Decrypter in its
// HandlerMiddleware, and unprotectedProduceWarning when it sends to them
// without an Encrypter in its PublisherDecorators.
func (s *Service) warnUnprotected(b sourceflow.Binding) {
	key := kmsKeyOf(s.cfg.Transport, maxInnerDepth)
	if key == "" {
		return
	}
	warn := func(msg string, dests []string) {
		slogdefault.Warn(s.cfg.Logger, msg, watermill.LogFields{
			"service": s.cfg.Name, "transport": fmt.Sprintf("%T", s.cfg.Transport),
			"kms_key": key, "destinations": strings.Join(dests, ", "),
		})
	}
	if len(b.Listeners) > 0 && !holds(s.cfg.HandlerMiddleware, decrypterMiddleware) {
		warn(unprotectedConsumeWarning, s.cfg.Listen)
	}
	if dests := s.types.destinations(); len(dests) > 0 && !holds(s.cfg.PublisherDecorators, encrypterDecorator) {
		warn(unprotectedProduceWarning, dests)
	}
}

// holds reports whether one of fs is a method value of the method named
// name.
func holds[F any](fs []F, name string) bool {
	return slices.ContainsFunc(fs, func(f F) bool {
		fn := runtime.FuncForPC(reflect.ValueOf(f).Pointer())
		return fn != nil && strings.TrimSuffix(fn.Name(), "-fm") == name
	})
}
