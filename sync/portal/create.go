package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/patient-companion/companion/data"
	"github.com/patient-companion/companion/sync/fhir"
)

// created is what createOnce's portal answered: the new resource's id and version, or the
// reason it refused (Refused: a 4xx other than 401; Elsewhere: 403 or 405, the portal does
// not take this from the app at all).
type created struct {
	ID, Version, Status string
	Refused             string
	Elsewhere           bool
}

// createOnce creates a resource made on this computer, named by our urn:uuid identifier
// (id), conditionally (If-None-Exist), so a retry after a lost answer finds the first copy
// instead of making a second. A portal that cannot be reached postpones the outbox item
// and stops the sync (the error, naming what); a refusal is an answer, for the caller to
// record.
func (e *Engine) createOnce(ctx context.Context, it data.OutboxItem, resourceType, id string, body any, what string) (created, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return created{}, err
	}
	ident := identifierSystem + "|urn:uuid:" + id
	var raw fhir.Raw
	err = e.retry(ctx, func() error {
		var err error
		raw, err = e.Client.Create(ctx, resourceType, b, "identifier="+url.QueryEscape(ident))
		return err
	})
	var he *fhir.HTTPError
	switch {
	case err == nil:
		var got struct {
			ID     string     `json:"id"`
			Status string     `json:"status"`
			Meta   *fhir.Meta `json:"meta"`
		}
		if json.Unmarshal(raw, &got) != nil || got.ID == "" {
			return created{}, unreachable(what, fmt.Errorf("%w: the created %s has no id", fhir.ErrMalformed, resourceType))
		}
		c := created{ID: got.ID, Status: got.Status}
		if got.Meta != nil {
			c.Version = got.Meta.VersionID
		}
		return c, nil
	case errors.As(err, &he) && !he.Temporary() && he.Status != 401:
		return created{Refused: http4xx(he), Elsewhere: he.Status == 403 || he.Status == 405}, nil
	}
	if perr := e.Store.PostponeOutbox(ctx, it.Seq, e.now()); perr != nil {
		return created{}, perr
	}
	return created{}, unreachable(what, err)
}

// waiting is a resource made here that waits in the outbox until the portal takes it (a
// shared reading, a survey's answers): a portal that does not take it keeps it waiting a
// day, with the reason kept on the record.
type waiting struct {
	resourceType, id string
	noun, what       string // "reading"; what stops the sync: "share reading"
	elsewhere        string // said when the portal does not take this from the app at all
	body             func() (any, error)
	sent             func(ctx context.Context, seq int64, id, remoteID string) error
	refused          func(ctx context.Context, seq int64, id, reason string, next time.Time) error
}

// pushWaiting sends one waiting item: only where the portal takes its type (mayCreate),
// created once (createOnce). A portal that does not take the type is said once per sync.
func (e *Engine) pushWaiting(ctx context.Context, it data.OutboxItem, w waiting, res *Result) error {
	ok, err := e.mayCreate(ctx, w.resourceType)
	if err != nil {
		return err
	}
	if !ok {
		if err := w.refused(ctx, it.Seq, w.id, w.elsewhere, e.now().Add(refusedRetry)); err != nil {
			return err
		}
		if !e.saidElsewhere[w.resourceType] {
			if e.saidElsewhere == nil {
				e.saidElsewhere = map[string]bool{}
			}
			e.saidElsewhere[w.resourceType] = true
			res.Errors = append(res.Errors, w.elsewhere)
		}
		return nil
	}
	body, err := w.body()
	if err != nil {
		res.Errors = append(res.Errors, fmt.Sprintf("%s %s cannot be read", w.noun, w.id))
		return nil
	}
	c, err := e.createOnce(ctx, it, w.resourceType, w.id, body, w.what)
	switch {
	case err != nil:
		return err
	case c.Refused != "":
		reason := c.Refused
		if c.Elsewhere {
			reason = w.elsewhere
		}
		if err := w.refused(ctx, it.Seq, w.id, reason, e.now().Add(refusedRetry)); err != nil {
			return err
		}
		res.Failed++
		res.Errors = append(res.Errors, w.noun+" not accepted by the portal: "+reason)
		return nil
	}
	if err := w.sent(ctx, it.Seq, w.id, c.ID); err != nil {
		return err
	}
	res.Pushed++
	return nil
}
