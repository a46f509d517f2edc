package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

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
