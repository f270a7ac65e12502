package awsbus

import (
	"context"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/internal/deadletter"
)

// subscription is one Subscribe call: a poller, a handler goroutine per
// handed-out message, a delete batcher and a visibility heartbeat.
type subscription struct {
	cfg   SubscriberConfig
	ep    topology.Endpoint
	dead  *deadletter.Counts
	log   watermill.LoggerAdapter
	out   chan *message.Message
	stop  context.Context // ends on Subscribe ctx end or Close
	quit  context.CancelFunc
	bg    context.Context // for calls that must outlive stop
	slots chan struct{}

	mu     sync.Mutex
	groups map[string][]*delivery // FIFO: busy groups and their held messages
	owned  map[*delivery]struct{}

	handlers sync.WaitGroup
	deletes  chan string
	done     chan struct{} // closed when every handler has returned
	// deadline is closed ShutdownTimeout after stop ends (the shutdown
	// deadline), or once every handler returned if that is sooner: no
	// handed-out message is waited for, and no renewal starts, after it.
	deadline chan struct{}

	attempt receiveAttempt // FIFO: the poller's ReceiveRequestAttemptId

	// polls ends at the shutdown deadline: a long poll under way when stop
	// ends goes on until then (see receive).
	polls    context.Context
	endPolls context.CancelFunc
}

func newSubscription(ctx context.Context, s *Subscriber, ep topology.Endpoint) *subscription {
	stop, quit := context.WithCancel(ctx)
	bg := context.WithoutCancel(ctx)
	polls, endPolls := context.WithCancel(bg)
	go func() {
		select {
		case <-s.closing:
			quit()
		case <-stop.Done():
		}
	}()
	return &subscription{
		cfg: s.cfg, ep: ep, dead: s.dead, out: make(chan *message.Message), stop: stop, quit: quit,
		log: s.cfg.Logger.With(watermill.LogFields{"destination": ep.Name, "queue_url": ep.QueueURL}),
		bg:  bg, polls: polls, endPolls: endPolls,
		slots:  make(chan struct{}, s.cfg.MaxConcurrentCalls),
		groups: map[string][]*delivery{}, owned: map[*delivery]struct{}{},
		deletes: make(chan string, s.cfg.MaxConcurrentCalls),
		done:    make(chan struct{}), deadline: make(chan struct{}),
	}
}

// run polls until stop ends, then drains and closes the output channel.
func (sub *subscription) run() {
	defer sub.quit()
	var aux sync.WaitGroup
	aux.Go(sub.deleteLoop)
	aux.Go(sub.heartbeatLoop)
	aux.Go(sub.watchDeadline)
	pause := backoff{initial: sub.cfg.ReceiveErrorBackoff, max: sub.cfg.ReceiveErrorMaxBackoff}
	for sub.stop.Err() == nil {
		n := sub.acquire()
		if sub.stop.Err() != nil {
			sub.free(n) // no poll starts once stop ended
			break
		}
		msgs, started, err := sub.receive(n)
		sub.free(n - len(msgs))
		if err != nil {
			if sub.stop.Err() == nil {
				d := pause.failure()
				sub.log.Error("ReceiveMessage failed", err, watermill.LogFields{"retry_in": d.String()})
				sub.sleep(d)
			} else if sub.pastDeadline() {
				sub.log.Info("Long poll cut at the shutdown deadline; messages SQS hands it return after their visibility timeout", nil)
			}
			continue
		}
		pause.reset()
		sub.accept(msgs, started) // after stop, each is released at once (see handle)
	}
	sub.handlers.Wait()
	close(sub.done)
	sub.releaseAllHeld()
	close(sub.deletes)
	aux.Wait()
	close(sub.out)
}

// acquire blocks for one free slot, then takes up to 10 without blocking.
func (sub *subscription) acquire() int {
	select {
	case sub.slots <- struct{}{}:
	case <-sub.stop.Done():
		return 0
	}
	n := 1 + sub.takeFree(maxBatchEntries-1)
	want := min(maxBatchEntries, cap(sub.slots))
	if n >= want {
		return n
	}
	// Fewer slots are free than one receive can fill: wait briefly for
	// handlers to finish so one ReceiveMessage fetches a batch rather than
	// a message per freed slot (API calls per message are what AWS bills).
	gather := time.NewTimer(sub.cfg.DeleteBatchDelay)
	defer gather.Stop()
	for n < want {
		select {
		case sub.slots <- struct{}{}:
			n++
		case <-gather.C:
			return n
		case <-sub.stop.Done():
			return n
		}
	}
	return n
}

// takeFree takes up to max slots that are free right now.
func (sub *subscription) takeFree(max int) int {
	n := 0
	for n < max {
		select {
		case sub.slots <- struct{}{}:
			n++
		default:
			return n
		}
	}
	return n
}

func (sub *subscription) free(n int) {
	for range n {
		<-sub.slots
	}
}

func (sub *subscription) sleep(d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-sub.stop.Done():
	}
}

// accept takes ownership of a received batch and starts a handler per
// message, or, on a FIFO queue, holds a message whose group is busy until
// the group is free. The whole batch is registered under one lock, so a
// handler finishing early cannot let a later message of its group start
// before the group's order is known. received is when the ReceiveMessage
// call started.
func (sub *subscription) accept(raws []sqstypes.Message, received time.Time) {
	now := time.Now()
	ds := make([]*delivery, len(raws))
	for i, raw := range raws {
		d := &delivery{raw: raw, received: received, extended: now}
		if sub.ep.FIFO {
			d.group = raw.Attributes[string(sqstypes.MessageSystemAttributeNameMessageGroupId)]
		}
		attrs := fromSQSAttributes(raw.MessageAttributes)
		msg, err := unmarshal(aws.ToString(raw.Body), attrs, aws.ToString(raw.MessageId))
		if err == nil {
			err = checkRawDelivery(aws.ToString(raw.Body), attrs)
		}
		if err != nil {
			d.malformed = err.Error()
		}
		d.msg = msg
		if msg != nil {
			sub.markDelivery(d)
		}
		ds[i] = d
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	for _, d := range ds {
		sub.owned[d] = struct{}{}
		if d.group != "" {
			if held, busy := sub.groups[d.group]; busy {
				sub.groups[d.group] = append(held, d)
				continue
			}
			sub.groups[d.group] = nil
		}
		sub.startLocked(d)
	}
}

func (sub *subscription) startLocked(d *delivery) {
	sub.handlers.Add(1)
	go func() {
		defer sub.handlers.Done()
		sub.handle(d)
	}()
}
