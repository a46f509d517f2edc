//go:build linux && cgo

package main

/*
#cgo LDFLAGS: -lX11
#include <stdlib.h>
#include <string.h>
#include <X11/Xlib.h>
#include <X11/Xutil.h>

// A window that is unmapped or destroyed between two calls makes XGetImage fail with
// BadMatch; Xlib's default handler would exit the whole process for it.
static int ignoreXError(Display *d, XErrorEvent *e) { return 0; }
static void quietErrors(void) { XSetErrorHandler(ignoreXError); }

// viewableNamed returns the first viewable window named name among w's descendants, depth
// levels down, or 0. Without a window manager (Xvfb) an application's top-level window is a
// child of the root; a reparenting window manager puts it one or two levels lower.
static Window viewableNamed(Display *d, Window w, const char *name, int depth) {
	Window root, parent, *kids = NULL, found = 0;
	unsigned int n = 0;
	if (depth <= 0 || !XQueryTree(d, w, &root, &parent, &kids, &n)) return 0;
	for (unsigned int i = 0; i < n && !found; i++) {
		char *wn = NULL;
		if (XFetchName(d, kids[i], &wn) && wn) {
			if (strcmp(wn, name) == 0) {
				XWindowAttributes a;
				if (XGetWindowAttributes(d, kids[i], &a) && a.map_state == IsViewable) found = kids[i];
			}
			XFree(wn);
		}
	}
	for (unsigned int i = 0; i < n && !found; i++) found = viewableNamed(d, kids[i], name, depth - 1);
	if (kids) XFree(kids);
	return found;
}

static Window viewableTopLevel(Display *d, const char *name) {
	return viewableNamed(d, DefaultRootWindow(d), name, 3);
}

// screenBytes is the size of a picture of the whole screen, 32 bits a pixel: no window that
// can be grabbed is larger.
static long screenBytes(Display *d) {
	int s = DefaultScreen(d);
	return (long)DisplayWidth(d, s) * DisplayHeight(d, s) * 4;
}

// grab copies the window's pixels (32 bits each) into buf, at most cap bytes, and returns the
// bytes copied, or -1 (the window went away); *w and *h are its size.
static long grab(Display *d, Window win, char *buf, long cap, int *w, int *h) {
	XWindowAttributes a;
	if (!XGetWindowAttributes(d, win, &a) || a.map_state != IsViewable) return -1;
	XImage *img = XGetImage(d, win, 0, 0, a.width, a.height, AllPlanes, ZPixmap);
	if (!img) return -1;
	long n = (long)img->bytes_per_line * img->height;
	if (n > cap) n = cap;
	memcpy(buf, img->data, n);
	*w = img->width;
	*h = img->height;
	XDestroyImage(img);
	return n;
}
*/
import "C"

import (
	"errors"
	"unsafe"
)

// display is a connection to the X server named by $DISPLAY.
type display struct{ d *C.Display }

func openDisplay() (*display, error) {
	d := C.XOpenDisplay(nil)
	if d == nil {
		return nil, errors.New("cannot open the X display (is DISPLAY set? run it under scripts/test-env.sh)")
	}
	C.quietErrors()
	return &display{d: d}, nil
}

func (x *display) Close() { C.XCloseDisplay(x.d) }

// newBuffer is a buffer large enough for a picture of any window on the screen.
func (x *display) newBuffer() []byte { return make([]byte, int(C.screenBytes(x.d))) }

// viewable returns the id of the viewable top-level window named name, or 0.
func (x *display) viewable(name string) uint64 {
	cs := C.CString(name)
	defer C.free(unsafe.Pointer(cs))
	return uint64(C.viewableTopLevel(x.d, cs))
}

// frame is one picture of a window: its size and its pixels.
type frame struct {
	w, h int
	pix  []byte
}

// grab reads window win's pixels into buf (reused between calls) and reports false when
// the window is gone.
func (x *display) grab(win uint64, buf []byte) (frame, bool) {
	var w, h C.int
	n := C.grab(x.d, C.Window(win), (*C.char)(unsafe.Pointer(&buf[0])), C.long(len(buf)), &w, &h)
	if n < 0 {
		return frame{}, false
	}
	return frame{w: int(w), h: int(h), pix: buf[:n]}, true
}
