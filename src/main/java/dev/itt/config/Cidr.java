package dev.itt.config;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * One block of addresses, {@code 10.0.0.0/8}, {@code fd00::/8}, or a single address ({@code 192.0.2.7} is
 * {@code /32}, {@code ::1} is {@code /128}). Matching is Netty's {@link IpSubnetFilterRule}; this type only parses
 * the text (literal addresses only, never a host name: a name would need a DNS lookup at start-up and would not
 * say which addresses it stands for later) and keeps it for messages.
 */
public final class Cidr {
    private final String text;
    private final IpSubnetFilterRule rule;

    private Cidr(String text, IpSubnetFilterRule rule) {
        this.text = text;
        this.rule = rule;
    }

    /** Parses {@code address[/prefix]}; the message of the exception quotes the value and says what is wrong. */
    public static Cidr parse(String value) {
        String v = value.trim();
        int slash = v.indexOf('/');
        String host = slash < 0 ? v : v.substring(0, slash);
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(host);
        if (address == null) {
            throw new IllegalArgumentException("'" + value + "' is not an IPv4 or IPv6 address or block"
                    + " (expected e.g. 10.0.0.0/8, 192.0.2.7, fd00::/8; host names are not allowed)");
        }
        int max = address instanceof Inet4Address ? 32 : 128;
        int prefix = max;
        if (slash >= 0) {
            String bits = v.substring(slash + 1);
            try {
                prefix = Integer.parseInt(bits);
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max || !bits.matches("[0-9]{1,3}")) {
                throw new IllegalArgumentException("'" + value + "' has prefix length '" + bits + "', outside 0.."
                        + max);
            }
        }
        return new Cidr(v, new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT));
    }

    /** Whether {@code address} lies in this block; an IPv4 address written as IPv6 (::ffff:a.b.c.d) counts as IPv4. */
    public boolean contains(InetAddress address) {
        return rule.matches(new InetSocketAddress(unmapped(address), 0));
    }

    /** {@code ::ffff:10.0.0.1} as {@code 10.0.0.1}, as a dual-stack listener may report an IPv4 user. */
    public static InetAddress unmapped(InetAddress address) {
        if (address instanceof Inet4Address) {
            return address;
        }
        try {
            // the JDK turns an IPv4-mapped IPv6 address into an Inet4Address here, and keeps any other as is
            return InetAddress.getByAddress(address.getAddress());
        } catch (UnknownHostException e) {
            return address; // cannot happen for 16 bytes
        }
    }

    @Override
    public String toString() {
        return text;
    }
}
