#!/bin/sh
# Removes what an interrupted test run may have left behind: test users
# (pt<pid>x<n>) and groups, their processes, test daemons and their cgroups, test
# NATS servers and the test hosts' network (namespaces, veths, bridges).
set -u
pkill -f 'podium serve --config /tmp/podium-test-' 2>/dev/null
# Test NATS clusters run `nats-server -c /tmp/podium-test-cluster-…/nats.conf`;
# killed outright, so none writes to its store while it is removed below.
pkill -KILL -f 'nats-server -c /tmp/podium-test-cluster-' 2>/dev/null
# Test hosts are namespaces pdm-<pid>-…, joined by veths pdm-<pid>h<n> to
# bridges pdm-br<pid>. Deleting one end of a veth deletes the other.
for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep '^pdm-'); do
    ip netns del "$ns" 2>/dev/null
done
for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | sed 's/@.*//' | grep '^pdm-'); do
    ip link del "$link" 2>/dev/null
done
# A several-hosts test's class group, podium-t-class<pid>.
for g in $(getent group | cut -d: -f1 | grep -E '^podium-t-class[0-9]+$'); do
    groupdel "$g" 2>/dev/null
done
for u in $(getent passwd | cut -d: -f1 | grep -E '^pt[0-9]+x[0-9]+$'); do
    pkill -KILL -U "$u" 2>/dev/null
    userdel -f -r "$u" 2>/dev/null
done
for root in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/pids; do
    for d in "$root"/podium-test-*; do
        [ -d "$d" ] || continue
        # Sessions, also those under a test's delegated service cgroup
        # (podium-test-*.slice/podium.service/…).
        for s in $(find "$d" -type d -name 'session-*'); do
            [ -f "$s/cgroup.kill" ] && echo 1 > "$s/cgroup.kill" 2>/dev/null
        done
        sleep 0.2
        find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
    done
done
rm -rf /tmp/podium-test-* 2>/dev/null
# The test programs placed where test users can run them (a copy per build).
rm -rf /var/tmp/podium-test-bin 2>/dev/null
exit 0
