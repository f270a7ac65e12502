package awsbus

import (
	"context"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// handle hands d out and settles it: delete after Ack, dead-letter a
// permanent failure, back off after Nack, release on shutdown.
func (sub *subscription) handle(d *delivery) {
	if d.malformed != "" {
		landed := sub.deadLetter(d, d.malformed)
		sub.finish(d, !landed)
		return
	}
	ctx, cancel := context.WithCancel(sub.bg)
	defer cancel()
	d.msg.SetContext(ctx)
	if sub.stop.Err() != nil {
		sub.finish(d, !sub.releaseUnsettled(d, whyNotHandedOut))
		return
	}
	select {
	case sub.out <- d.msg:
	case <-sub.stop.Done():
		sub.finish(d, !sub.releaseUnsettled(d, whyNotHandedOut))
		return
	}
	o := sub.await(d)
	cancel()
	sub.settle(d, o)
}

// settle acts on the outcome of a handed-out message: delete after Ack,
// dead-letter a Nack carrying sourceflow.MetaFailure or received for the
// last time the redrive policy allows, back off any other Nack, release it
// when the shutdown deadline passed first (dead-letter it, on its last
// allowed receive; see unsettledReason). Whenever d stays on the queue
// (a failed dead-lettering included) the messages held behind it in its
// FIFO group are released too.
func (sub *subscription) settle(d *delivery, o outcome) {
	switch o {
	case outcomeAck:
		sub.deleteAfterRenewal(d)
		sub.finish(d, false)
	case outcomeNack:
		if reason := sub.failureReason(d); reason != "" {
			landed := sub.deadLetter(d, reason)
			sub.finish(d, !landed)
			return
		}
		sub.setVisibility(d, sub.nackBackoff(d))
		sub.finish(d, true)
	default:
		sub.finish(d, !sub.releaseUnsettled(d, whyNotSettled))
	}
}

// deleteAfterRenewal queues the delete of the acked d once the renewal of
// d under way, if any, has ended, so no renewal reaches SQS after the
// delete. It waits for that renewal on a goroutine the handlers' wait
// counts, so d's FIFO group moves on at once: the messages held behind d
// are not settled a renewal call late.
func (sub *subscription) deleteAfterRenewal(d *delivery) {
	handle := aws.ToString(d.raw.ReceiptHandle)
	end := d.stopRenewal()
	if end == nil {
		sub.deletes <- handle
		return
	}
	sub.handlers.Go(func() {
		<-end
		sub.deletes <- handle
	})
}

type outcome int

const (
	outcomeAck outcome = iota + 1
	outcomeNack
	outcomeTimeout
)

// await waits for Ack or Nack; once the subscription stops it waits at most
// ShutdownTimeout more (until sub.deadline).
func (sub *subscription) await(d *delivery) outcome {
	select {
	case <-d.msg.Acked():
		return outcomeAck
	case <-d.msg.Nacked():
		return outcomeNack
	case <-sub.deadline:
		return outcomeTimeout
	}
}

// finish frees d's slot and moves its FIFO group on: the next held message
// starts, or, when releaseGroup is set (d will be redelivered), every held
// message of the group is released so the group's order is kept (see
// releaseHeld).
func (sub *subscription) finish(d *delivery, releaseGroup bool) {
	sub.mu.Lock()
	delete(sub.owned, d)
	var released []*delivery
	if d.group != "" {
		held := sub.groups[d.group]
		switch {
		case releaseGroup || (len(held) > 0 && sub.stop.Err() != nil):
			released = held
			delete(sub.groups, d.group)
		case len(held) > 0:
			sub.groups[d.group] = held[1:]
			sub.startLocked(held[0])
		default:
			delete(sub.groups, d.group)
		}
	}
	for _, h := range released {
		delete(sub.owned, h)
	}
	sub.mu.Unlock()
	sub.free(1)
	sub.releaseHeld(released, releaseGroup)
}

// releaseAllHeld makes every message still held visible again, or
// dead-letters it on its last allowed receive (see releaseHeld). It runs
// once every handler returned, so no message a held one waits for is
// still owned.
func (sub *subscription) releaseAllHeld() {
	sub.mu.Lock()
	var held []*delivery
	for g, ds := range sub.groups {
		held = append(held, ds...)
		delete(sub.groups, g)
	}
	for _, d := range held {
		delete(sub.owned, d)
	}
	sub.mu.Unlock()
	sub.releaseHeld(held, false)
}

func (sub *subscription) release(d *delivery) { sub.setVisibility(d, 0) }

// callTimeout bounds every settling call (delete, visibility change,
// dead-letter copy), which runs on a context that outlives the
// subscription.
const callTimeout = 10 * time.Second

// call returns a context for one settling call.
func (sub *subscription) call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(sub.bg, callTimeout)
}

// setVisibility settles d by making it visible again after v; no heartbeat
// renews it afterwards.
func (sub *subscription) setVisibility(d *delivery, v time.Duration) {
	d.markSettled()
	sub.changeVisibility(d, v)
}

// changeVisibility makes d visible again after v, or after what remains
// of SQS's visibility limit when that is shorter (see visibilityLeft).
func (sub *subscription) changeVisibility(d *delivery, v time.Duration) {
	v = min(v, visibilityLeft(d, time.Now()))
	ctx, cancel := sub.call()
	defer cancel()
	_, err := sub.cfg.SQS.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(sub.ep.QueueURL), ReceiptHandle: d.raw.ReceiptHandle,
		VisibilityTimeout: sqsSeconds(v),
	})
	if err != nil {
		sub.log.Info("ChangeMessageVisibility failed; the message returns after its visibility timeout",
			watermill.LogFields{"message_id": aws.ToString(d.raw.MessageId), "err": err.Error()})
	}
}
