/* rtnetlink requests through libmnl; see netlink.h. */
#include "netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Set when this process failed to return to its own network namespace:
 * it then sits in a set's, where whatever it did next (deleting interfaces
 * by name, running a hook) would land. No more sockets from here. */
static bool stranded;

int nsset_nl_open(struct nsset_nl *nl, int netns_fd, struct nsset_err *e)
{
	memset(nl, 0, sizeof(*nl));
	if (stranded)
		return nsset_fail(e, 0, "not opening a netlink socket: this process is stranded "
				  "in a set's network namespace");
	_cleanup_close_ int home = -1;
	if (netns_fd >= 0) {
		home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (home < 0)
			return nsset_fail(e, errno, "/proc/self/ns/net");
		if (setns(netns_fd, CLONE_NEWNET) < 0)
			return nsset_fail(e, errno, "entering the set's network namespace");
	}
	/* A failure is put in `e` at once: going home must not lose its errno. */
	struct mnl_socket *sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!sock)
		nsset_fail(e, errno, "netlink socket");
	if (home >= 0 && setns(home, CLONE_NEWNET) < 0) {
		/* Cannot happen short of a kernel bug. Never go on from the
		 * wrong namespace: the caller must end (the holder does, its
		 * build failing), and nothing here works again meanwhile. */
		stranded = true;
		nsset_fail(e, errno, "cannot return to the host network namespace");
		if (sock)
			mnl_socket_close(sock);
		return -1;
	}
	if (!sock)
		return -1;
	if (mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		nsset_fail(e, errno, "binding the netlink socket");
		mnl_socket_close(sock);
		return -1;
	}
	nl->sock = sock;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (unsigned)time(NULL);
	return 0;
}

void nsset_nl_close(struct nsset_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

/* Sends one request (always with NLM_F_ACK) and runs `cb` on the replies
 * until the kernel's acknowledgement. -1 with errno from the kernel. */
static int transact(struct nsset_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	for (;;) {
		ssize_t n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		int r = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb, data);
		if (r <= MNL_CB_STOP)
			return r < 0 ? -1 : 0;
	}
}

static struct nlmsghdr *link_msg(char *buf, uint16_t type, uint16_t flags, int index)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = index;
	return nlh;
}

/* ---- links -------------------------------------------------------------- */

static int linkinfo_cb(const struct nlattr *attr, void *data)
{
	struct nsset_link *l = data;
	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND && mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(l->kind, sizeof(l->kind), "%s", mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int link_attr_cb(const struct nlattr *attr, void *data)
{
	struct nsset_link *l = data;
	switch (mnl_attr_get_type(attr)) {
	case IFLA_MASTER:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			l->master = (int)mnl_attr_get_u32(attr);
		break;
	case IFLA_LINKINFO:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			mnl_attr_parse_nested(attr, linkinfo_cb, l);
		break;
	}
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nsset_link *l = data;
	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	const struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	l->index = ifm->ifi_index;
	l->flags = ifm->ifi_flags;
	mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, l);
	return MNL_CB_OK;
}

int nsset_nl_link_get(struct nsset_nl *nl, const char *name, struct nsset_link *out,
		      struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_GETLINK, 0, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	memset(out, 0, sizeof(*out));
	if (transact(nl, nlh, link_cb, out) < 0) {
		if (errno == ENODEV)
			return 1;
		return nsset_fail(e, errno, "looking up interface %s", name);
	}
	return out->index > 0 ? 0 : 1;
}

int nsset_nl_bridge_add(struct nsset_nl *nl, const char *name, struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, info);
	if (transact(nl, nlh, NULL, NULL) < 0)
		return nsset_fail(e, errno, "creating bridge %s", name);
	return 0;
}

int nsset_nl_veth_add(struct nsset_nl *nl, const char *name, int master, const char *peer,
		      int peer_netns_fd, struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (master > 0)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	struct nlattr *p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	/* The peer's description starts with its own ifinfomsg. */
	struct ifinfomsg *pifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*pifm));
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	if (transact(nl, nlh, NULL, NULL) < 0)
		return nsset_fail(e, errno, "creating veth pair %s/%s", name, peer);
	return 0;
}

int nsset_nl_link_up(struct nsset_nl *nl, int index, struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_NEWLINK, 0, index);
	struct ifinfomsg *ifm = mnl_nlmsg_get_payload(nlh);
	ifm->ifi_change = IFF_UP;
	ifm->ifi_flags = IFF_UP;
	if (transact(nl, nlh, NULL, NULL) < 0)
		return nsset_fail(e, errno, "bringing interface %d up", index);
	return 0;
}

int nsset_nl_link_del(struct nsset_nl *nl, int index, struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = link_msg(buf, RTM_DELLINK, 0, index);
	if (transact(nl, nlh, NULL, NULL) < 0)
		return nsset_fail(e, errno, "deleting interface %d", index);
	return 0;
}

/* ---- addresses and routes ----------------------------------------------- */

int nsset_nl_addr_add(struct nsset_nl *nl, int index, int family, const void *addr,
		      unsigned prefixlen, bool exist_ok, struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (unsigned char)family;
	ifa->ifa_prefixlen = (unsigned char)prefixlen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)index;
	size_t len = family == AF_INET ? 4 : 16;
	if (family == AF_INET)
		mnl_attr_put(nlh, IFA_LOCAL, len, addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, addr);
	if (family == AF_INET6)
		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	if (transact(nl, nlh, NULL, NULL) < 0 && !(exist_ok && errno == EEXIST)) {
		char text[64];
		if (family == AF_INET) {
			uint32_t a;
			memcpy(&a, addr, 4);
			nsset_addr4_format(ntohl(a), text, sizeof(text));
		} else {
			nsset_addr6_format(addr, text, sizeof(text));
		}
		return nsset_fail(e, errno, "adding address %s/%u", text, prefixlen);
	}
	return 0;
}

int nsset_nl_default_route(struct nsset_nl *nl, int index, int family, const void *gateway,
			   struct nsset_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (unsigned char)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, family == AF_INET ? 4 : 16, gateway);
	mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)index);
	if (transact(nl, nlh, NULL, NULL) < 0)
		return nsset_fail(e, errno, "adding the default %s route",
				  family == AF_INET ? "IPv4" : "IPv6");
	return 0;
}
