package awsbustest

import (
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// beginLocked begins the call op and reports invalid (the request's own
// errors, found without reading the fake's state); then it locks mu.
func (f *Faults) beginLocked(op string, invalid error, mu *sync.Mutex) error {
	if err := f.begin(op); err != nil {
		return err
	}
	if invalid != nil {
		return invalid
	}
	mu.Lock()
	return nil
}

// withQueue begins the call op, reports invalid, and runs fn on the queue
// at url with s locked.
func withQueue[T any](s *SQS, op string, url *string, invalid error, fn func(*queue) (T, error)) (T, error) {
	var zero T
	if err := s.beginLocked(op, invalid, &s.mu); err != nil {
		return zero, err
	}
	defer s.mu.Unlock()
	q, err := s.queueByURL(url)
	if err != nil {
		return zero, err
	}
	return fn(q)
}

// withTopic begins the call op, reports invalid, and runs fn on the topic
// of arn with s locked.
func withTopic[T any](s *SNS, op string, arn *string, invalid error, fn func(*topic) (T, error)) (T, error) {
	return withEntry(s, op, invalid, s.topics, arn, "Topic", fn)
}

// withSubscription is withTopic for a subscription.
func withSubscription[T any](s *SNS, op string, arn *string, invalid error, fn func(*subscription) (T, error)) (T, error) {
	return withEntry(s, op, invalid, s.subs, arn, "Subscription", fn)
}

// withEntry begins the call op, reports invalid, and runs fn on the entry of
// key in entries (a map made once by NewSNS) with s locked; a missing entry
// is a NotFound error naming kind.
func withEntry[V, T any](s *SNS, op string, invalid error, entries map[string]V, key *string, kind string, fn func(V) (T, error)) (T, error) {
	var zero T
	if err := s.beginLocked(op, invalid, &s.mu); err != nil {
		return zero, err
	}
	defer s.mu.Unlock()
	v, ok := entries[aws.ToString(key)]
	if !ok {
		return zero, notFound(kind)
	}
	return fn(v)
}
