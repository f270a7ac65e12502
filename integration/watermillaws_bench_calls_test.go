//go:build integration

package integration

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go/middleware"
)

// apiCalls counts the SQS and SNS calls made by clients built from the
// aws.Config it instruments, the messages their deletes removed and the
// entries of their visibility changes.
type apiCalls struct {
	changed changes
	mu      sync.Mutex
	calls   map[string]int // "SQS.ReceiveMessage" → count
	deleted int
	visible int // entries of ChangeMessageVisibility(Batch) calls
}

// instrument returns a copy of cfg whose clients report to c.
func (c *apiCalls) instrument(cfg aws.Config) aws.Config {
	c.calls = map[string]int{}
	c.changed = newChanges()
	cfg.APIOptions = append(append([]func(*middleware.Stack) error{}, cfg.APIOptions...), func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("benchCallCounter", c.count), middleware.After)
	})
	return cfg
}

func (c *apiCalls) count(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	service := awsmiddleware.GetServiceID(ctx)
	if service == "SQS" || service == "SNS" {
		c.mu.Lock()
		c.calls[service+"."+awsmiddleware.GetOperationName(ctx)]++
		switch p := in.Parameters.(type) {
		case *sqs.DeleteMessageInput:
			c.deleted++
		case *sqs.DeleteMessageBatchInput:
			c.deleted += len(p.Entries)
		case *sqs.ChangeMessageVisibilityInput:
			c.visible++
		case *sqs.ChangeMessageVisibilityBatchInput:
			c.visible += len(p.Entries)
		}
		c.mu.Unlock()
		c.changed.notify()
	}
	return next.HandleInitialize(ctx, in)
}

// snapshot returns the total number of calls and of deleted messages so far.
func (c *apiCalls) snapshot() (calls, deleted int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, n := range c.calls {
		calls += n
	}
	return calls, c.deleted
}

// byOperation returns the calls so far per operation ("SQS.ReceiveMessage").
func (c *apiCalls) byOperation() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.calls)
}

// visibility returns the ChangeMessageVisibility(Batch) calls so far and
// their entries.
func (c *apiCalls) visibility() (calls, entries int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls["SQS.ChangeMessageVisibility"] + c.calls["SQS.ChangeMessageVisibilityBatch"], c.visible
}
