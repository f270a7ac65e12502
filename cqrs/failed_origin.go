package cqrs

import (
	"fmt"
	"os"
	"runtime/debug"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// maxVersionBytes bounds ServiceConfig.Version: a version is a short
// label, and every dead letter carries it.
const maxVersionBytes = 128

// failedOrigin is where a handler's failure happens: this process's host
// and the service's version, read once, when the service is made, and set
// on each failed message next to its reason (see markFailure).
type failedOrigin struct {
	host, version string
}

// newFailedOrigin returns the origin of the failures of a service of
// version: os.Hostname's host, none when the system gives none.
func newFailedOrigin(version string) failedOrigin {
	host, err := os.Hostname()
	if err != nil {
		host = ""
	}
	return failedOrigin{host: host, version: version}
}

// mark sets o on msg, whose handler failed: sourceflow.MetaFailedHost and
// sourceflow.MetaFailedVersion, each only when known.
func (o failedOrigin) mark(msg *message.Message) {
	if o.host != "" {
		msg.Metadata.Set(sourceflow.MetaFailedHost, o.host)
	}
	if o.version != "" {
		msg.Metadata.Set(sourceflow.MetaFailedVersion, o.version)
	}
}

// failedOriginOf returns where the handler of consumed failed, as mark
// set it on consumed; empty when consumed does not say.
func failedOriginOf(consumed *message.Message) failedOrigin {
	return failedOrigin{
		host:    consumed.Metadata.Get(sourceflow.MetaFailedHost),
		version: consumed.Metadata.Get(sourceflow.MetaFailedVersion),
	}
}

// buildVersion is ServiceConfig.Version's default: the main module's
// version the program was built as (debug.ReadBuildInfo), "" when it has
// none or is "(devel)" (built inside its module's work tree without a
// version control stamp, or run by go test).
func buildVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok || info.Main.Version == "(devel)" {
		return ""
	}
	return info.Main.Version
}

// checkVersion reports a ServiceConfig.Version that is no line of
// printable text or longer than maxVersionBytes.
func checkVersion(v string) error {
	if err := fieldcheck.PrintableLine(v); err != nil {
		return fmt.Errorf("cqrs: ServiceConfig.Version %w", err)
	}
	if len(v) > maxVersionBytes {
		return fmt.Errorf("cqrs: ServiceConfig.Version is %d bytes long, must be at most %d", len(v), maxVersionBytes)
	}
	return nil
}
