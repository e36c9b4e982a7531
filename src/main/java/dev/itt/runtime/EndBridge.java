package dev.itt.runtime;

import dev.itt.end.TunnelEnd;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * A {@link TunnelEnd} of this application seen through an end object that an earlier dev-mode restart of it left
 * running ({@link DevModeHandover}). Dev mode loads the application's classes anew on each restart, so the old
 * end's classes are not this code's, only alike: each call is made by name on the old object, and what it answers
 * is rebuilt in this code's types — an enum by its name, a record from its components, a list item by item; JDK
 * and Vert.x values (strings, numbers, durations, futures) are shared and pass as they are. A method whose answer
 * is of another kind of application class answers its default here, or fails if it has none.
 */
final class EndBridge implements InvocationHandler {
    private final Object old;

    private EndBridge(Object old) {
        this.old = old;
    }

    static TunnelEnd of(Object old) {
        if (old instanceof TunnelEnd same) {
            return same; // the same classes: nothing to bridge
        }
        return (TunnelEnd) Proxy.newProxyInstance(TunnelEnd.class.getClassLoader(), new Class<?>[] {TunnelEnd.class},
                new EndBridge(old));
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "equals":
                return proxy == args[0];
            case "hashCode":
                return System.identityHashCode(proxy);
            case "toString":
                return "bridged " + old;
            default:
                break;
        }
        Method target;
        try {
            target = old.getClass().getMethod(method.getName(), method.getParameterTypes());
        } catch (NoSuchMethodException e) {
            return fallBack(proxy, method, args);
        }
        Object answer;
        try {
            target.setAccessible(true);
            answer = target.invoke(old, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        Object converted = convert(answer, method.getReturnType());
        return converted != UNCONVERTIBLE ? converted : fallBack(proxy, method, args);
    }

    private static Object fallBack(Object proxy, Method method, Object[] args) throws Throwable {
        if (method.isDefault()) {
            return InvocationHandler.invokeDefault(proxy, method, args);
        }
        throw new UnsupportedOperationException(method.getName() + " cannot be answered across a dev-mode restart");
    }

    private static final Object UNCONVERTIBLE = new Object();

    /**
     * {@code value}, an answer of the old classes, as an instance of {@code type} in this code's; or UNCONVERTIBLE.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object convert(Object value, Class<?> type) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            return list.stream().allMatch(item -> item == null || !theirs(item.getClass())) ? list : UNCONVERTIBLE;
        }
        Class<?> from = value.getClass();
        if (!theirs(from)) {
            return value; // a JDK or Vert.x value: one class for both
        }
        if (type.isEnum() && from.isEnum()) {
            return Enum.valueOf((Class<Enum>) type, ((Enum<?>) value).name());
        }
        if (type.isRecord() && from.isRecord()) {
            return record(value, type);
        }
        return UNCONVERTIBLE;
    }

    /** Whether a class is one of the old application's, not a shared one. */
    private boolean theirs(Class<?> c) {
        return c.getClassLoader() == old.getClass().getClassLoader();
    }

    private Object record(Object value, Class<?> type) {
        RecordComponent[] mine = type.getRecordComponents();
        RecordComponent[] theirs = value.getClass().getRecordComponents();
        if (mine.length != theirs.length) {
            return UNCONVERTIBLE;
        }
        Object[] parts = new Object[mine.length];
        Class<?>[] types = new Class<?>[mine.length];
        try {
            for (int i = 0; i < mine.length; i++) {
                Method accessor = theirs[i].getAccessor();
                accessor.setAccessible(true);
                parts[i] = convert(accessor.invoke(value), mine[i].getType());
                if (parts[i] == UNCONVERTIBLE) {
                    return UNCONVERTIBLE;
                }
                types[i] = mine[i].getType();
            }
            return type.getDeclaredConstructor(types).newInstance(parts);
        } catch (ReflectiveOperationException e) {
            return UNCONVERTIBLE;
        }
    }
}
