package cqrs_test

import (
	"testing"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
)

func TestMemoryCommandStoreConformance(t *testing.T) {
	cqrstest.RunCommandStore(t, func(*testing.T) cqrs.CommandStore { return cqrs.NewMemoryCommandStore() })
}

func TestMemoryStoreConformance(t *testing.T) {
	cqrstest.RunDocumentStore(t, func(*testing.T) cqrs.DocumentStore { return cqrs.NewMemoryStore() },
		cqrstest.DocumentOptions{LargeDocument: 8 << 20})
}
