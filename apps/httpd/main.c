/*
 * httpd: a small HTTP/1.1 server (RFC 9112) on lwIP's raw TCP API.
 *   GET /         a short HTML page
 *   GET /metrics  Prometheus text: NIC, XDP and eBPF program counters, and
 *                 the integer entries of every map of every attached program
 *   anything else 404; methods other than GET and HEAD 405; a malformed
 *                 or oversized request 400, then the connection is closed
 * Connections are persistent (HTTP/1.1's default, or HTTP/1.0 with
 * "Connection: keep-alive") unless the client sends "Connection: close";
 * pipelined requests are answered in order. Idle connections close after
 * HTTPD_IDLE_SECONDS.
 * Arguments (after "--"):
 *   port N     listen on TCP port N instead of 80
 * Prints "httpd: listening on TCP port N" when ready; runs until stopped.
 *
 * Run: make run (httpd is the default app) boots it with its counting XDP
 * program apps/httpd/bpf/count.c, on QEMU's user network with host port
 * 8080 forwarded to port 80: curl http://127.0.0.1:8080/metrics
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include "cmdline.h"
#include "lwip/tcp.h"
#include "metrics.h"
#include "net.h"
#include "text.h"

#define HTTPD_DEFAULT_PORT  80
#define HTTPD_REQUEST_MAX   4096 /* request line and headers; longer is refused */
#define HTTPD_POLL_INTERVAL 2	 /* lwIP's coarse timer ticks (500 ms each): once a second */
#define HTTPD_IDLE_SECONDS  10
#define EXIT_USAGE	    2
#define EXIT_NO_NETWORK	    1

static const char index_page[] =
    "<!DOCTYPE html>\n"
    "<html><head><title>ukbpf</title></head>\n"
    "<body><h1>ukbpf httpd</h1>\n"
    "<p>A unikernel with an eBPF program on its receive path answered this page.</p>\n"
    "<p><a href=\"/metrics\">/metrics</a>: packet, XDP and map counters.</p>\n"
    "</body></html>\n";

struct httpd_config {
	u16_t port;
};

static struct httpd_config config = {
    .port = HTTPD_DEFAULT_PORT,
};
static struct metrics_http http_counters;

struct http_conn {
	struct tcp_pcb *pcb;
	char request[HTTPD_REQUEST_MAX];
	size_t request_len;
	struct text response; /* being queued into lwIP */
	size_t response_queued;
	bool close_after_response;
	unsigned idle_seconds;
};

struct http_request {
	const char *method, *target;
	size_t method_len, target_len;
	bool http_1_1;
	bool keep_alive;
	bool has_body;
};

static void http_conn_free(struct http_conn *conn)
{
	text_free(&conn->response);
	free(conn);
}

/*
 * Ends the connection: a clean close (queued data still goes out), or a
 * reset if lwIP cannot queue the FIN. Returns what the lwIP callback that
 * called it must return: ERR_ABRT after a reset (the pcb is gone).
 */
static err_t http_conn_close(struct http_conn *conn)
{
	struct tcp_pcb *pcb = conn->pcb;

	tcp_arg(pcb, NULL);
	tcp_recv(pcb, NULL);
	tcp_sent(pcb, NULL);
	tcp_err(pcb, NULL);
	tcp_poll(pcb, NULL, 0);
	http_conn_free(conn);
	if (tcp_close(pcb) == ERR_OK)
		return ERR_OK;
	tcp_abort(pcb);
	return ERR_ABRT;
}

/*
 * Queues as much of the response as the send buffer takes (copied into
 * lwIP, so the text can go once all of it is queued); the tcp_sent
 * callback calls again for the rest.
 */
static void http_conn_send(struct http_conn *conn)
{
	size_t left = conn->response.len - conn->response_queued;

	while (left > 0) {
		size_t room = tcp_sndbuf(conn->pcb);
		size_t chunk = left < room ? left : room;
		if (chunk == 0)
			break;
		u8_t flags = TCP_WRITE_FLAG_COPY | (chunk < left ? TCP_WRITE_FLAG_MORE : 0);
		if (tcp_write(conn->pcb, conn->response.data + conn->response_queued, (u16_t)chunk,
			      flags) != ERR_OK)
			break; /* out of segments: the tcp_sent callback retries */
		conn->response_queued += chunk;
		left -= chunk;
	}
	tcp_output(conn->pcb);
}

static bool http_conn_responding(const struct http_conn *conn)
{
	return conn->response_queued < conn->response.len;
}

static const char *http_reason(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	default:
		return "Internal Server Error";
	}
}

static void http_count(int status)
{
	switch (status) {
	case 200:
		http_counters.responses_200++;
		break;
	case 400:
		http_counters.responses_400++;
		break;
	case 404:
		http_counters.responses_404++;
		break;
	case 405:
		http_counters.responses_405++;
		break;
	}
}

static void http_respond(struct http_conn *conn, int status, const char *content_type,
			 const char *body, size_t body_len, bool head_only)
{
	struct text *r = &conn->response;

	text_free(r);
	conn->response_queued = 0;
	http_count(status);
	text_printf(r,
		    "HTTP/1.1 %d %s\r\nServer: ukbpf\r\nContent-Type: %s\r\n"
		    "Content-Length: %zu\r\nConnection: %s\r\n%s\r\n",
		    status, http_reason(status), content_type, body_len,
		    conn->close_after_response ? "close" : "keep-alive",
		    status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (!head_only)
		text_append(r, body, body_len);
	if (r->failed) {
		/* No memory for the answer: the client sees the connection end. */
		text_free(r);
		conn->close_after_response = true;
		return;
	}
	http_conn_send(conn);
}

static void http_respond_text(struct http_conn *conn, int status, const char *message)
{
	http_respond(conn, status, "text/plain; charset=utf-8", message, strlen(message), false);
}

static bool header_is(const char *line, size_t len, const char *name, const char **value,
		      size_t *value_len)
{
	size_t name_len = strlen(name);

	if (len <= name_len || line[name_len] != ':' || strncasecmp(line, name, name_len) != 0)
		return false;
	*value = line + name_len + 1;
	*value_len = len - name_len - 1;
	while (*value_len && (**value == ' ' || **value == '\t'))
		(*value)++, (*value_len)--;
	while (*value_len && ((*value)[*value_len - 1] == ' ' || (*value)[*value_len - 1] == '\t'))
		(*value_len)--;
	return true;
}

static bool value_has_token(const char *value, size_t len, const char *token)
{
	size_t token_len = strlen(token);

	/* Connection is a comma-separated list of tokens (RFC 9110 §7.6.1). */
	for (size_t start = 0; start < len;) {
		size_t end = start;
		while (end < len && value[end] != ',')
			end++;
		size_t a = start, b = end;
		while (a < b && (value[a] == ' ' || value[a] == '\t'))
			a++;
		while (b > a && (value[b - 1] == ' ' || value[b - 1] == '\t'))
			b--;
		if (b - a == token_len && strncasecmp(value + a, token, token_len) == 0)
			return true;
		start = end + 1;
	}
	return false;
}

static bool is_token_char(char c)
{
	return isalnum((unsigned char)c) || strchr("!#$%&'*+-.^_`|~", c);
}

/* "METHOD SP /target SP HTTP/1.x" (RFC 9112 §3); false when it is not that. */
static bool http_parse_request_line(const char *line, size_t len, struct http_request *req)
{
	static const char version_prefix[] = "HTTP/1.";
	const size_t version_len = sizeof(version_prefix); /* the prefix and one digit */
	size_t i = 0;

	while (i < len && is_token_char(line[i]))
		i++;
	if (i == 0 || i >= len || line[i] != ' ')
		return false;
	req->method = line;
	req->method_len = i++;
	req->target = line + i;
	while (i < len && line[i] != ' ' && (unsigned char)line[i] > ' ' && line[i] != 0x7f)
		i++;
	req->target_len = (size_t)(line + i - req->target);
	if (req->target_len == 0 || req->target[0] != '/' || i >= len || line[i] != ' ')
		return false;
	i++;
	if (len - i != version_len || memcmp(line + i, version_prefix, version_len - 1) != 0)
		return false;
	char minor = line[len - 1];
	if (minor != '0' && minor != '1')
		return false;
	req->http_1_1 = minor == '1';
	return true;
}

/* The length of the next line (without its CR LF or bare LF) and of its terminator. */
static bool next_line(const char *text, size_t len, size_t *line_len, size_t *term_len)
{
	const char *lf = memchr(text, '\n', len);

	if (!lf)
		return false;
	*line_len = (size_t)(lf - text);
	*term_len = 1;
	if (*line_len > 0 && text[*line_len - 1] == '\r')
		(*line_len)--, (*term_len)++;
	return true;
}

/*
 * Parses the request at the start of the buffer. Returns its length once
 * the header block is complete, 0 while more is needed, -EINVAL when it is
 * malformed.
 */
static ssize_t http_parse(const char *buf, size_t len, struct http_request *req)
{
	size_t pos = 0, line_len, term_len;

	/* RFC 9112 §2.2: empty lines before the request line are ignored. */
	while (pos < len && (buf[pos] == '\r' || buf[pos] == '\n'))
		pos++;
	if (!next_line(buf + pos, len - pos, &line_len, &term_len))
		return 0;
	if (!http_parse_request_line(buf + pos, line_len, req))
		return -EINVAL;
	req->keep_alive = req->http_1_1;
	req->has_body = false;
	pos += line_len + term_len;
	for (;;) {
		if (!next_line(buf + pos, len - pos, &line_len, &term_len))
			return 0;
		const char *line = buf + pos, *value;
		size_t value_len;
		pos += line_len + term_len;
		if (line_len == 0)
			return (ssize_t)pos;
		if (!memchr(line, ':', line_len))
			return -EINVAL;
		if (header_is(line, line_len, "Connection", &value, &value_len)) {
			if (value_has_token(value, value_len, "close"))
				req->keep_alive = false;
			else if (value_has_token(value, value_len, "keep-alive"))
				req->keep_alive = true;
		} else if (header_is(line, line_len, "Content-Length", &value, &value_len)) {
			req->has_body |= !(value_len == 1 && value[0] == '0');
		} else if (header_is(line, line_len, "Transfer-Encoding", &value, &value_len)) {
			req->has_body = true;
		}
	}
}

static bool target_is(const struct http_request *req, const char *path)
{
	size_t path_len = strlen(path);

	return req->target_len >= path_len && memcmp(req->target, path, path_len) == 0 &&
	       (req->target_len == path_len || req->target[path_len] == '?');
}

static void http_answer(struct http_conn *conn, const struct http_request *req)
{
	bool head = req->method_len == 4 && memcmp(req->method, "HEAD", 4) == 0;
	bool get = req->method_len == 3 && memcmp(req->method, "GET", 3) == 0;

	conn->close_after_response = !req->keep_alive;
	if (!get && !head) {
		/* Its body (if any) would be read as the next request: close after answering. */
		conn->close_after_response = true;
		http_respond_text(conn, 405, "Only GET and HEAD are served here.\n");
	} else if (req->has_body) {
		conn->close_after_response = true;
		http_respond_text(conn, 400, "A GET request carries no body.\n");
	} else if (target_is(req, "/")) {
		http_respond(conn, 200, "text/html; charset=utf-8", index_page,
			     sizeof(index_page) - 1, head);
	} else if (target_is(req, "/metrics")) {
		struct text body = {0};
		metrics_render(&body, &http_counters);
		if (body.failed)
			conn->close_after_response = true; /* http_respond gives up the same way */
		http_respond(conn, 200, METRICS_CONTENT_TYPE, body.data ? body.data : "", body.len,
			     head);
		text_free(&body);
	} else {
		http_respond_text(conn, 404, "Not found.\n");
	}
}

/*
 * Answers every complete request in the buffer, one at a time
 * (pipelining), and closes when asked to once the answer is queued.
 * Returns http_conn_close's value when it closed, else ERR_OK.
 */
static err_t http_conn_process(struct http_conn *conn)
{
	while (!http_conn_responding(conn) && !conn->close_after_response) {
		struct http_request req;
		ssize_t used = http_parse(conn->request, conn->request_len, &req);
		if (used == 0 && conn->request_len < sizeof(conn->request))
			return ERR_OK; /* wait for more */
		if (used <= 0) {
			conn->close_after_response = true;
			http_respond_text(conn, 400,
					  used == 0 ? "Request header too long.\n"
						    : "Malformed request.\n");
			break;
		}
		http_answer(conn, &req);
		conn->request_len -= (size_t)used;
		memmove(conn->request, conn->request + used, conn->request_len);
	}
	if (!http_conn_responding(conn) && conn->close_after_response)
		return http_conn_close(conn);
	return ERR_OK;
}

static err_t http_on_recv(void *arg, struct tcp_pcb *pcb, struct pbuf *p, err_t err)
{
	struct http_conn *conn = arg;

	if (!p) {
		/* The client is done sending: finish the answer in flight, then close. */
		conn->close_after_response = true;
		return http_conn_responding(conn) ? ERR_OK : http_conn_close(conn);
	}
	size_t room = sizeof(conn->request) - conn->request_len;
	size_t take = p->tot_len < room ? p->tot_len : room;
	pbuf_copy_partial(p, conn->request + conn->request_len, (u16_t)take, 0);
	conn->request_len += take;
	conn->idle_seconds = 0;
	/* Everything is acknowledged, even what did not fit: that ends in a 400. */
	tcp_recved(pcb, p->tot_len);
	pbuf_free(p);
	return conn->close_after_response ? ERR_OK : http_conn_process(conn);
}

static err_t http_on_sent(void *arg, struct tcp_pcb *pcb, u16_t len)
{
	struct http_conn *conn = arg;

	conn->idle_seconds = 0;
	http_conn_send(conn);
	if (http_conn_responding(conn))
		return ERR_OK;
	text_free(&conn->response);
	conn->response_queued = 0;
	return conn->close_after_response ? http_conn_close(conn) : http_conn_process(conn);
}

static err_t http_on_poll(void *arg, struct tcp_pcb *pcb)
{
	struct http_conn *conn = arg;

	if (++conn->idle_seconds >= HTTPD_IDLE_SECONDS)
		return http_conn_close(conn);
	return ERR_OK;
}

/* lwIP has freed the pcb (reset or fatal error). */
static void http_on_error(void *arg, err_t err)
{
	http_conn_free(arg);
}

static err_t http_on_accept(void *arg, struct tcp_pcb *pcb, err_t err)
{
	if (err != ERR_OK || !pcb)
		return ERR_VAL;
	struct http_conn *conn = calloc(1, sizeof(*conn));
	if (!conn)
		return ERR_MEM; /* lwIP aborts the connection */
	conn->pcb = pcb;
	http_counters.connections++;
	tcp_arg(pcb, conn);
	tcp_recv(pcb, http_on_recv);
	tcp_sent(pcb, http_on_sent);
	tcp_err(pcb, http_on_error);
	tcp_poll(pcb, http_on_poll, HTTPD_POLL_INTERVAL);
	return ERR_OK;
}

int main(int argc, char **argv)
{
	int bad;
	if (cmdline_args_port(argc, argv, &config.port, &bad) < 0) {
		fprintf(stderr, "httpd: bad argument %s (usage: " CMDLINE_PORT_USAGE ")\n",
			argv[bad]);
		return EXIT_USAGE;
	}
	if (net_init() < 0)
		return EXIT_NO_NETWORK;
	struct tcp_pcb *pcb = tcp_new_ip_type(IPADDR_TYPE_ANY);
	err_t err = pcb ? tcp_bind(pcb, IP_ANY_TYPE, config.port) : ERR_MEM;
	if (err != ERR_OK) {
		fprintf(stderr, "httpd: cannot bind TCP port %u (lwIP error %d)\n", config.port,
			err);
		return EXIT_NO_NETWORK;
	}
	struct tcp_pcb *listener = tcp_listen(pcb);
	if (!listener) {
		fprintf(stderr, "httpd: out of memory for the listening socket\n");
		return EXIT_NO_NETWORK;
	}
	tcp_accept(listener, http_on_accept);
	printf("httpd: listening on TCP port %u\n", config.port);
	net_run(NULL, NULL, NET_NO_DEADLINE);
	return 0;
}
