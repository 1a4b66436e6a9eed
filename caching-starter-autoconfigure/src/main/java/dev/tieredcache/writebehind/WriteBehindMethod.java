package dev.tieredcache.writebehind;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.util.ReflectionUtils;

/**
 * The flush target of one write-behind cache: the bean (its proxy, so that its other
 * advice, such as {@code @Transactional}, applies), the annotated method and the optional
 * {@code flushAll} method. Calls made through it bypass the write-behind advice.
 *
 * @param cache the cache name
 * @param description the annotated method's short name, for messages
 * @param bean the bean, as the application context holds it
 * @param method the annotated method, invocable on the bean
 * @param flushAll the batch method, invocable on the bean, or null
 * @param flushAllTakesMap whether {@code flushAll} takes a map (key to value) rather than
 * a collection of values
 */
public record WriteBehindMethod(String cache, String description, Object bean, Method method,
		@Nullable Method flushAll, boolean flushAllTakesMap) {

	private static final ThreadLocal<Boolean> FLUSHING = new ThreadLocal<>();

	/**
	 * Creates a target, resolving the methods to the ones the bean's proxy can run.
	 * @param cache the cache name
	 * @param description the method's short name
	 * @param bean the bean
	 * @param method the annotated method
	 * @param flushAll the batch method, or null
	 * @return the target
	 */
	public static WriteBehindMethod of(String cache, String description, Object bean, Method method,
			@Nullable Method flushAll) {
		Method invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
		Method batch = (flushAll != null) ? AopUtils.selectInvocableMethod(flushAll, bean.getClass()) : null;
		ReflectionUtils.makeAccessible(invocable);
		if (batch != null) {
			ReflectionUtils.makeAccessible(batch);
		}
		return new WriteBehindMethod(cache, description, bean, invocable, batch,
				batch != null && Map.class.isAssignableFrom(batch.getParameterTypes()[0]));
	}

	/**
	 * Whether the current thread is running a flush, when the write-behind advice must let
	 * the call through to the method's body.
	 * @return whether flushing
	 */
	public static boolean isFlushing() {
		return FLUSHING.get() != null;
	}

	/**
	 * Runs the annotated method for one key.
	 * @param key the key
	 * @param value the value
	 * @throws Throwable whatever the method throws
	 */
	void flushOne(Object key, @Nullable Object value) throws Throwable {
		Object[] arguments = (this.method.getParameterCount() == 2) ? new Object[] { key, value }
				: new Object[] { value };
		invoke(this.method, arguments);
	}

	/**
	 * Runs {@code flushAll} for several keys.
	 * @param values key to value, in claim order
	 * @throws Throwable whatever the method throws
	 */
	void flushAll(LinkedHashMap<Object, @Nullable Object> values) throws Throwable {
		Object argument = this.flushAllTakesMap ? values : new ArrayList<>(values.values());
		invoke(this.flushAll, new Object[] { argument });
	}

	private void invoke(Method target, Object[] arguments) throws Throwable {
		FLUSHING.set(Boolean.TRUE);
		try {
			target.invoke(this.bean, arguments);
		}
		catch (InvocationTargetException ex) {
			throw ex.getTargetException();
		}
		finally {
			FLUSHING.remove();
		}
	}

	/**
	 * Checks a {@code flushAll} method's signature.
	 * @param flushAll the method
	 * @return why it does not fit, or null if it does
	 */
	static @Nullable String unfit(Method flushAll) {
		if (flushAll.getParameterCount() != 1) {
			return "takes " + flushAll.getParameterCount() + " parameters";
		}
		Class<?> type = flushAll.getParameterTypes()[0];
		if (!type.isAssignableFrom(LinkedHashMap.class) && !type.isAssignableFrom(ArrayList.class)) {
			return "takes a " + type.getSimpleName();
		}
		return null;
	}


}
