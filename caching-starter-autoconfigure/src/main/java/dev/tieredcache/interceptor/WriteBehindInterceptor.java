package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.StringUtils;

import dev.tieredcache.annotation.WriteBehind;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.writebehind.WriteBehindMethod;
import dev.tieredcache.writebehind.WriteBehindMethods;
import dev.tieredcache.writebehind.WriteBehindWrites;
import dev.tieredcache.writebehind.WriteFences;
import dev.tieredcache.writebehind.WriteFences.Fence;

/**
 * The advice behind {@link WriteBehind}: records the call's value as its key's pending
 * write and returns without running the method; the flusher runs it later. When Redis
 * cannot take the write, or an expression cannot be evaluated, or the condition is false,
 * the method runs at once (and the key is evicted, as a write-through eviction), so no
 * write is lost.
 */
public class WriteBehindInterceptor implements MethodInterceptor {

	private static final Log logger = LogFactory.getLog(WriteBehindInterceptor.class);

	private final WriteBehindWrites writes;

	private final @Nullable BeanFactory beanFactory;

	private final Map<Method, Operation> operations = new ConcurrentHashMap<>();

	private final @Nullable WriteFences fences;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	/**
	 * Creates the interceptor.
	 * @param writes records pending writes
	 * @param beanFactory resolves {@code @bean} references in expressions
	 */
	public WriteBehindInterceptor(WriteBehindWrites writes, @Nullable BeanFactory beanFactory) {
		this(writes, null, beanFactory);
	}

	/**
	 * Creates the interceptor.
	 * @param writes records pending writes
	 * @param fences orders calls that run their method at once with a pending write of the
	 * same key, or null when nothing can be pending (no Redis)
	 * @param beanFactory resolves {@code @bean} references in expressions
	 */
	public WriteBehindInterceptor(WriteBehindWrites writes, @Nullable WriteFences fences,
			@Nullable BeanFactory beanFactory) {
		this.writes = writes;
		this.fences = fences;
		this.beanFactory = beanFactory;
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		if (WriteBehindMethod.isFlushing()) {
			return invocation.proceed();
		}
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		Operation operation = operation(invocation.getMethod(), targetClass);
		if (operation == null) {
			return invocation.proceed();
		}
		InvocationContext context = new InvocationContext(operation.method(), invocation.getArguments(), target,
				(targetClass != null) ? targetClass : operation.method().getDeclaringClass(), this.beanFactory);
		Object key;
		Object value;
		try {
			key = (operation.key() != null) ? operation.key().value(context) : invocation.getArguments()[0];
			if (operation.condition() != null && !operation.condition().isTrue(context)) {
				return (key != null) ? runAtOnce(operation, invocation, key) : invocation.proceed();
			}
			value = (operation.value() != null) ? operation.value().value(context)
					: invocation.getArguments()[invocation.getArguments().length - 1];
		}
		catch (CacheExpressionException ex) {
			this.warnings.warn(operation.description(), () -> ex.getMessage() + "; the method runs at once");
			return invocation.proceed();
		}
		if (key == null) {
			this.warnings.warn(operation.description(), () -> "The key of @WriteBehind on " + operation.description()
					+ " is null; the method runs at once");
			return invocation.proceed();
		}
		boolean pending;
		try {
			pending = this.writes.write(operation.cache(), key, value);
		}
		catch (RuntimeException ex) {
			this.warnings.warn(operation.description(), () -> "Write-behind failed for " + operation.description()
					+ " (" + ex.getClass().getSimpleName() + "); the method runs at once");
			pending = false;
		}
		if (pending) {
			return null;
		}
		return runAtOnce(operation, invocation, key);
	}

	/**
	 * Runs the method now (write-through), ordered with an older pending write of the key:
	 * a flush of it under way lands first, and the eviction that follows supersedes it, so
	 * the database never gets the older value after this one.
	 */
	private @Nullable Object runAtOnce(Operation operation, MethodInvocation invocation, Object key)
			throws Throwable {
		long started = System.nanoTime();
		Fence fence = fence(operation, key);
		Object returned;
		try {
			returned = invocation.proceed();
		}
		catch (Throwable ex) {
			fence.release();
			throw ex;
		}
		// After the commit of the transaction the method ran in, if any: a rollback leaves
		// the pending write in place, and gives the fence back.
		AfterCommit.run(() -> {
			try {
				this.writes.afterSynchronousWrite(operation.cache(), key, started);
			}
			catch (RuntimeException ex) {
				// Retried until it lands; the fence keeps flushers off the key meanwhile.
				this.warnings.warn(operation.description(), () -> "Evicting after " + operation.description()
						+ " ran at once failed (" + ex.getClass().getSimpleName() + ")");
			}
		});
		AfterCommit.completed((committed) -> {
			if (committed) {
				fence.finish();
			}
			else {
				fence.release();
			}
		});
		return returned;
	}

	private Fence fence(Operation operation, Object key) {
		if (this.fences == null) {
			return Fence.NONE;
		}
		try {
			return this.fences.acquire(operation.cache(), this.writes.encodedKey(operation.cache(), key));
		}
		catch (RuntimeException ex) {
			// A key the cache refuses: the eviction after the call reports it.
			return Fence.NONE;
		}
	}

	private @Nullable Operation operation(Method method, @Nullable Class<?> targetClass) {
		return this.operations.computeIfAbsent(method, (m) -> parse(m, targetClass)).orNull();
	}

	/**
	 * Parses and checks the {@code @WriteBehind} of a method; called when the bean is
	 * proxied, so errors fail start-up naming the method.
	 * @param method the method
	 * @param targetClass the target class
	 * @return whether the method carries {@code @WriteBehind}
	 */
	static boolean matches(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		WriteBehind annotation = AnnotatedElementUtils.findMergedAnnotation(specific, WriteBehind.class);
		if (annotation == null) {
			return false;
		}
		WriteBehindMethods.check(specific, annotation);
		if (AnnotatedElementUtils.hasAnnotation(specific, dev.tieredcache.annotation.WriteThrough.class)
				|| AnnotatedElementUtils.hasAnnotation(specific, dev.tieredcache.annotation.ReadThrough.class)) {
			throw new IllegalStateException(MethodDescriptions.describe(specific)
					+ " carries @WriteBehind and another cache annotation: choose one");
		}
		parse(method, targetClass);
		return true;
	}

	private static Operation parse(Method method, @Nullable Class<?> targetClass) {
		Method specific = AopUtils.getMostSpecificMethod(method, targetClass);
		WriteBehind annotation = AnnotatedElementUtils.findMergedAnnotation(specific, WriteBehind.class);
		if (annotation == null) {
			return Operation.NONE;
		}
		return new Operation(annotation.cache(), specific, MethodDescriptions.describe(specific),
				optional(annotation.key(), "key of @WriteBehind", specific),
				optional(annotation.value(), "value of @WriteBehind", specific),
				optional(annotation.condition(), "condition of @WriteBehind", specific));
	}

	private static @Nullable CacheExpression optional(String source, String role, Method method) {
		return StringUtils.hasText(source) ? CacheExpression.parse(source, role, method) : null;
	}

	/** A parsed {@code @WriteBehind}. */
	private record Operation(String cache, @Nullable Method method, String description, @Nullable CacheExpression key,
			@Nullable CacheExpression value, @Nullable CacheExpression condition) {

		static final Operation NONE = new Operation("", null, "", null, null, null);

		@Nullable Operation orNull() {
			return (this == NONE) ? null : this;
		}

	}

}
