package awsbustest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Move task statuses, as SQS spells them.
const (
	MoveTaskRunning    = "RUNNING"
	MoveTaskCompleted  = "COMPLETED"
	MoveTaskCancelling = "CANCELLING"
	MoveTaskCancelled  = "CANCELLED"
)

// maxMoveRate is the largest MaxNumberOfMessagesPerSecond SQS accepts.
const maxMoveRate = 500

// MoveTaskSQS is the SQS fake with the message move task calls of the
// dead-letter queue redrive API: StartMessageMoveTask, ListMessageMoveTasks
// and CancelMessageMoveTask. Create it with NewMoveTaskSQS.
//
// A task moves every visible message of its source queue at once, keeping
// body, attributes, message group and deduplication id (a FIFO repeat of a
// deduplication id inside five minutes is dropped, as on any send). It then
// reports RUNNING for RunningLists calls of ListMessageMoveTasks, and
// COMPLETED after; a cancelled task reports CANCELLING for CancellingLists
// calls, and CANCELLED after. As on AWS, the source must be the dead-letter
// queue of some queue, one task at a time is active (running or
// cancelling) per source, a start beside it is refused with
// InvalidParameterValue, "There is already a task running. ...", and a
// task without a destination returns the messages to that queue.
type MoveTaskSQS struct {
	*SQS
	// RunningLists is how many ListMessageMoveTasks calls report a new task
	// as RUNNING before it reports COMPLETED. Set it before Start.
	RunningLists int
	// CancellingLists is how many ListMessageMoveTasks calls report a
	// cancelled task as CANCELLING before it reports CANCELLED; 0 cancels
	// at once. Set it before CancelMessageMoveTask.
	CancellingLists int

	mu    sync.Mutex
	tasks []*moveTask
}

type moveTask struct {
	handle, source, destination string
	rate                        *int32
	moved                       int64
	lists                       int
	status                      string
	started                     time.Time
}

// NewMoveTaskSQS returns s with the message move task calls.
func NewMoveTaskSQS(s *SQS) *MoveTaskSQS { return &MoveTaskSQS{SQS: s} }

// StartMessageMoveTask moves the messages of a dead-letter queue to
// DestinationArn, or to the queue whose RedrivePolicy names it. It
// honours LoseNext: the task starts, and the answer is the error.
func (m *MoveTaskSQS) StartMessageMoveTask(_ context.Context, in *sqs.StartMessageMoveTaskInput, _ ...func(*sqs.Options)) (*sqs.StartMessageMoveTaskOutput, error) {
	if err := m.begin("StartMessageMoveTask"); err != nil {
		return nil, err
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > maxMoveRate) {
		return nil, apiError("InvalidParameterValue", fmt.Sprintf("MaxNumberOfMessagesPerSecond must be 1-%d.", maxMoveRate))
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	source := aws.ToString(in.SourceArn)
	for _, t := range m.tasks {
		if t.source == source && m.activeLocked(t) {
			return nil, apiError("InvalidParameterValue",
				"There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	t := &moveTask{handle: fmt.Sprintf("task-%d", len(m.tasks)+1), source: source,
		destination: aws.ToString(in.DestinationArn), rate: in.MaxNumberOfMessagesPerSecond,
		status: MoveTaskRunning, started: time.Now()}
	if err := m.move(t); err != nil {
		return nil, err
	}
	m.tasks = append(m.tasks, t)
	if err := m.lost("StartMessageMoveTask"); err != nil {
		return nil, err
	}
	return &sqs.StartMessageMoveTaskOutput{TaskHandle: aws.String(t.handle)}, nil
}

// activeLocked reports whether t is still running or cancelling: no other
// task of its source may start.
func (m *MoveTaskSQS) activeLocked(t *moveTask) bool {
	switch t.status {
	case MoveTaskRunning:
		return t.lists < m.RunningLists
	case MoveTaskCancelling:
		return t.lists < m.CancellingLists
	}
	return false
}

// move moves the visible messages of t's source to its destination.
func (m *MoveTaskSQS) move(t *moveTask) error {
	m.SQS.mu.Lock()
	defer m.SQS.mu.Unlock()
	src, ok := m.byARN[t.source]
	if !ok {
		return &types.ResourceNotFoundException{Message: aws.String("The resource that you specified for the SourceArn parameter doesn't exist.")}
	}
	origin := m.originLocked(t.source)
	if origin == nil {
		return apiError("InvalidParameterValue", "Source queue must be configured as a Dead Letter Queue.")
	}
	dst := origin
	if t.destination != "" {
		if dst, ok = m.byARN[t.destination]; !ok {
			return &types.ResourceNotFoundException{Message: aws.String("The resource that you specified for the DestinationArn parameter doesn't exist.")}
		}
	}
	t.destination = dst.arn
	now := time.Now()
	for _, msg := range src.msgs {
		if msg.deleted || msg.visibleAt.After(now) {
			continue
		}
		if _, _, err := m.enqueueLocked(dst, sendRequest{body: msg.body, attrs: msg.attrs, group: msg.group, dedupID: msg.dedupID}); err != nil {
			return err
		}
		msg.deleted = true
		t.moved++
	}
	src.compact()
	return nil
}

// originLocked returns the queue whose RedrivePolicy names dlqARN.
func (m *MoveTaskSQS) originLocked(dlqARN string) *queue {
	for _, q := range m.queues {
		if arn, _, ok := q.redrive(); ok && arn == dlqARN {
			return q
		}
	}
	return nil
}

// ListMessageMoveTasks returns the tasks of a source queue, newest first.
func (m *MoveTaskSQS) ListMessageMoveTasks(_ context.Context, in *sqs.ListMessageMoveTasksInput, _ ...func(*sqs.Options)) (*sqs.ListMessageMoveTasksOutput, error) {
	if err := m.begin("ListMessageMoveTasks"); err != nil {
		return nil, err
	}
	limit := int(aws.ToInt32(in.MaxResults))
	if limit == 0 {
		limit = 1
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	out := &sqs.ListMessageMoveTasksOutput{}
	for _, t := range slices.Backward(m.tasks) {
		if t.source != aws.ToString(in.SourceArn) || len(out.Results) == limit {
			continue
		}
		m.advanceLocked(t)
		var handle *string // SQS gives the handle of running tasks only
		if t.status == MoveTaskRunning {
			handle = aws.String(t.handle)
		}
		out.Results = append(out.Results, types.ListMessageMoveTasksResultEntry{
			TaskHandle: handle, Status: aws.String(t.status),
			SourceArn: aws.String(t.source), DestinationArn: aws.String(t.destination),
			MaxNumberOfMessagesPerSecond: t.rate, StartedTimestamp: t.started.UnixMilli(),
			ApproximateNumberOfMessagesMoved: t.moved, ApproximateNumberOfMessagesToMove: aws.Int64(t.moved),
		})
	}
	return out, nil
}

// advanceLocked counts a list of t, and ends a running or cancelling t
// once it was listed as such RunningLists or CancellingLists times.
func (m *MoveTaskSQS) advanceLocked(t *moveTask) {
	switch t.status {
	case MoveTaskRunning:
		if t.lists >= m.RunningLists {
			t.status = MoveTaskCompleted
		}
	case MoveTaskCancelling:
		if t.lists >= m.CancellingLists {
			t.status = MoveTaskCancelled
		}
	default:
		return
	}
	t.lists++
}

// CancelMessageMoveTask cancels a running task: it is CANCELLING for
// CancellingLists lists, then CANCELLED.
func (m *MoveTaskSQS) CancelMessageMoveTask(_ context.Context, in *sqs.CancelMessageMoveTaskInput, _ ...func(*sqs.Options)) (*sqs.CancelMessageMoveTaskOutput, error) {
	if err := m.begin("CancelMessageMoveTask"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.tasks {
		if t.handle == aws.ToString(in.TaskHandle) && t.status == MoveTaskRunning {
			t.status, t.lists = MoveTaskCancelled, 0
			if m.CancellingLists > 0 {
				t.status = MoveTaskCancelling
			}
			return &sqs.CancelMessageMoveTaskOutput{ApproximateNumberOfMessagesMoved: t.moved}, nil
		}
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("The task handle does not name a running task.")}
}
