package dev.tieredcache.interceptor;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.ProxyMethodInvocation;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.cache.Cache.ValueWrapper;
import org.springframework.util.function.SingletonSupplier;

import dev.tieredcache.TieredCacheOperations;
import dev.tieredcache.annotation.WriteMode;
import dev.tieredcache.batch.BatchRequest;
import dev.tieredcache.cache.LoadWaitInterruptedException;
import dev.tieredcache.cache.ReadRequest;
import dev.tieredcache.cache.TieredCache;
import dev.tieredcache.cache.TieredCacheManager;
import dev.tieredcache.cache.ValueLoader;
import dev.tieredcache.interceptor.CacheOperations.InvalidateOperation;
import dev.tieredcache.interceptor.CacheOperations.ReadOperation;
import dev.tieredcache.interceptor.CacheOperations.WriteOperation;
import dev.tieredcache.redis.RateLimitedLog;
import dev.tieredcache.writebehind.WriteFences;
import dev.tieredcache.writebehind.WriteFences.Fence;

/**
 * The advice behind {@code @ReadThrough}, {@code @WriteThrough}, {@code @InvalidateTags}
 * and {@code @VersionedGroup}.
 *
 * <p>The method's own outcome always reaches the caller: its exceptions unchanged, its
 * result even when caching it fails. A cache expression that cannot be evaluated for a call
 * (or a key that evaluates to null) is logged at WARN, naming the method and the
 * expression, and the call runs uncached. Writes, invalidations and bumps are applied after
 * a normal return, after the commit when a transaction is active.
 *
 * <p>What differs per return type (plain, {@code Optional}, {@code CompletableFuture},
 * {@code Mono}, {@code Flux}) is left to its {@link ReturnHandler}. For the asynchronous
 * ones the calling thread only evaluates expressions and looks in L1: an L1 hit is answered
 * at once, everything that may block runs on a pool.
 */
public class TieredCacheInterceptor implements MethodInterceptor, DisposableBean {

	private static final Log logger = LogFactory.getLog(TieredCacheInterceptor.class);

	private static final boolean[] NO_CONDITIONS = new boolean[0];

	private final CacheOperationSource source;

	private final TieredCacheManager manager;

	private final TieredCacheOperations operations;

	private final @Nullable BeanFactory beanFactory;

	private final ReturnHandlers handlers;

	private final CacheKeys keys;

	private final Supplier<@Nullable WriteFences> fences;

	private final RateLimitedLog warnings = new RateLimitedLog(logger, Duration.ofMinutes(1));

	/**
	 * Creates the interceptor.
	 * @param source parses the annotations
	 * @param manager provides the caches
	 * @param operations performs invalidations and bumps
	 * @param beanFactory resolves {@code @bean} references in expressions
	 * @param asyncExecutor runs reads of {@code CompletableFuture} methods
	 */
	public TieredCacheInterceptor(CacheOperationSource source, TieredCacheManager manager,
			TieredCacheOperations operations, @Nullable BeanFactory beanFactory, Executor asyncExecutor) {
		this(source, manager, operations, beanFactory, asyncExecutor, () -> null);
	}

	/**
	 * Creates the interceptor.
	 * @param source parses the annotations
	 * @param manager provides the caches
	 * @param operations performs invalidations and bumps
	 * @param beanFactory resolves {@code @bean} references in expressions
	 * @param asyncExecutor runs reads of {@code CompletableFuture} methods
	 * @param fences orders {@code @WriteThrough} calls with pending write-behind writes of
	 * the same key; supplies null when there are none (no Redis)
	 */
	public TieredCacheInterceptor(CacheOperationSource source, TieredCacheManager manager,
			TieredCacheOperations operations, @Nullable BeanFactory beanFactory, Executor asyncExecutor,
			Supplier<@Nullable WriteFences> fences) {
		this.fences = SingletonSupplier.of(fences);
		this.source = source;
		this.manager = manager;
		this.operations = operations;
		this.beanFactory = beanFactory;
		this.handlers = new ReturnHandlers(asyncExecutor);
		this.keys = new CacheKeys(manager.getServices().keyEncoder());
	}

	@Override
	public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
		Object target = invocation.getThis();
		Class<?> targetClass = (target != null) ? AopUtils.getTargetClass(target) : null;
		CacheOperations operations = this.source.get(invocation.getMethod(), targetClass);
		if (operations == null) {
			return invocation.proceed();
		}
		InvocationContext context = new InvocationContext(operations.method(), invocation.getArguments(), target,
				(targetClass != null) ? targetClass : operations.method().getDeclaringClass(), this.beanFactory);
		ReturnHandler handler = this.handlers.get(operations.returnKind());
		boolean[] writeConditions = conditions(operations.writeConditions(), operations, context);
		boolean[] invalidateConditions = conditions(operations.invalidateConditions(), operations, context);
		// Only writes need when the call began; a read (every cache hit) pays for neither.
		long started = operations.writes().isEmpty() ? 0 : System.nanoTime();
		List<Fence> fences = operations.writes().isEmpty() ? List.of()
				: fence(operations, context, writeConditions);
		Object returned;
		try {
			if (operations.hasBeforeInvocation()) {
				returned = handler.beforeInvocation(() -> invalidateBefore(operations, context, invalidateConditions),
						() -> call(operations, context, invocation, handler));
			}
			else {
				returned = call(operations, context, invocation, handler);
			}
			if (operations.hasAfterReturning()) {
				returned = handler.afterReturning(returned, (value) -> {
					// A publisher subscribed twice at once would otherwise share #result.
					synchronized (context) {
						afterReturning(operations, context, value, writeConditions, invalidateConditions, started);
					}
				});
			}
		}
		catch (Throwable ex) {
			fences.forEach(Fence::release);
			throw ex;
		}
		if (!fences.isEmpty()) {
			// The cache change superseded what the fences held (or kept a newer pending
			// write and gave them up); one that could not reach Redis leaves them to run out
			// while it is replayed. A rollback gives them back at once.
			AfterCommit.completed((committed) -> fences.forEach(committed ? Fence::finish : Fence::release));
		}
		return returned;
	}

	/**
	 * Fences the keys a synchronous {@code @WriteThrough} of a write-behind cache is about to
	 * write, so that a flush of an older pending value cannot reach the database after the
	 * method's own write ({@link WriteFences}). Keys known only from the result are not.
	 */
	private List<Fence> fence(CacheOperations operations, InvocationContext context, boolean[] writeConditions) {
		WriteFences writeFences = this.fences.get();
		if (writeFences == null || operations.returnKind() != ReturnKind.PLAIN
				&& operations.returnKind() != ReturnKind.OPTIONAL) {
			return List.of();
		}
		List<Fence> fences = null;
		List<WriteOperation> writes = operations.writes();
		for (int i = 0; i < writes.size(); i++) {
			WriteOperation write = writes.get(i);
			if (!writeConditions[i] || !writeFences.applies(write.cache())
					|| write.key() != null && write.key().mentionsResult()) {
				continue;
			}
			try {
				Fence fence = writeFences.acquire(write.cache(), this.keys.key(write.key(), operations, context));
				if (fence != Fence.NONE) {
					fences = (fences != null) ? fences : new ArrayList<>(1);
					fences.add(fence);
				}
			}
			catch (CacheExpressionException ex) {
				// Reported by the write after the call.
			}
		}
		return (fences != null) ? fences : List.of();
	}

	private @Nullable Object call(CacheOperations operations, InvocationContext context, MethodInvocation invocation,
			ReturnHandler handler) throws Throwable {
		if (operations.readAll() != null) {
			// Parsed only on methods returning a Map: always synchronous.
			return readAll(operations, context, invocation);
		}
		if (operations.read() == null) {
			return invocation.proceed();
		}
		return read(operations, context, invocation, handler);
	}

	/**
	 * A {@code @ReadThrough} call. Expressions and L1 are read on the calling thread; for an
	 * asynchronous caller the rest (group versions, Redis, the load) runs on the handler's
	 * pool.
	 */
	private @Nullable Object read(CacheOperations operations, InvocationContext context, MethodInvocation invocation,
			ReturnHandler handler) throws Throwable {
		ReadOperation read = operations.read();
		TieredCache cache;
		String key;
		try {
			if (read.condition() != null && !read.condition().isTrue(context)) {
				return invocation.proceed();
			}
			cache = this.manager.getCache(read.cache());
			key = this.keys.key(read.key(), operations, context);
		}
		catch (CacheExpressionException ex) {
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		boolean synchronous = handler.isSynchronous();
		boolean refreshable = cache.refreshesInBackground();
		// Answered here only when the hit starts no refresh (which the read-through decides)
		// and, for an asynchronous caller, checking it needs no Redis (no group version that
		// may have to be read).
		if (!refreshable && (synchronous || operations.groups().isEmpty())) {
			ValueWrapper hit = cache.peekLocal(key);
			if (hit != null) {
				return handler.wrap(hit.get());
			}
		}
		String[] tags;
		try {
			// Only a load needs the tags: a hit already carries them.
			tags = CacheKeys.tags(read.tags(), operations.groups(), context);
		}
		catch (CacheExpressionException ex) {
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		if (!synchronous) {
			return handler.read(new AsyncRead(cache, key, tags, unless(read, operations, context), operations,
					invocation, handler));
		}
		LoaderCall loader = new LoaderCall(invocation::proceed, handler::await);
		ReadRequest request = ReadRequest.of(key, tags, loader, unless(read, operations, context),
				refreshable ? refreshLoader(invocation, handler) : null);
		return handler.wrap(readThrough(cache, request, loader, operations));
	}

	private @Nullable Object readThrough(TieredCache cache, ReadRequest request, LoaderCall loader,
			CacheOperations operations) throws Throwable {
		try {
			return cache.readThrough(request);
		}
		catch (MethodFailure ex) {
			throw ex.getCause();
		}
		catch (LoadWaitInterruptedException ex) {
			// The caller's thread was interrupted: it must not go on to query the database.
			throw ex;
		}
		catch (RuntimeException ex) {
			// The cache itself failed: the caller still gets the method's answer.
			this.warnings.warn(operations.description(), () -> "Caching failed for " + operations.description()
					+ " (" + ex.getClass().getSimpleName() + "); the method's result is returned uncached");
			if (loader.hasRun()) {
				return loader.result();
			}
			try {
				return loader.load();
			}
			catch (MethodFailure failure) {
				throw failure.getCause();
			}
		}
	}

	/**
	 * A {@code @ReadThroughAll} call: the keys no tier holds are loaded by calling the method
	 * once with just those keys (see {@link dev.tieredcache.batch.BatchReadThrough}).
	 */
	private @Nullable Object readAll(CacheOperations operations, InvocationContext context,
			MethodInvocation invocation) throws Throwable {
		ReadAllOperation read = operations.readAll();
		TieredCache cache;
		BatchRequest request;
		try {
			if (read.condition() != null && !read.condition().isTrue(context)) {
				return invocation.proceed();
			}
			cache = this.manager.getCache(read.cache());
			request = BatchRequest.of(read.keys(context, operations.description()),
					(missing) -> (Map<?, ?>) proceedWith(invocation, read.argumentsFor(context.arguments(), missing)));
		}
		catch (CacheExpressionException ex) {
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		request = request.withTags((key) -> read.tags(context, operations.groups(), key),
				(key, value) -> valueTags(read, operations, context, key, value),
				(key, value) -> storable(read, operations, context, key, value));
		try {
			return cache.readThroughAll(request);
		}
		catch (MethodFailure ex) {
			throw ex.getCause();
		}
		catch (LoadWaitInterruptedException ex) {
			throw ex;
		}
		catch (CacheExpressionException ex) {
			// A tag failed before anything was claimed or loaded.
			warnUncached(operations, ex);
			return invocation.proceed();
		}
		catch (RuntimeException ex) {
			// The cache itself failed: the caller still gets the method's answer, for every key.
			this.warnings.warn(operations.description(), () -> "Caching failed for " + operations.description()
					+ " (" + ex.getClass().getSimpleName() + "); the method runs uncached for every key");
			return invocation.proceed();
		}
	}

	private static @Nullable Object proceedWith(MethodInvocation invocation, Object[] arguments)
			throws MethodFailure {
		if (!(invocation instanceof ProxyMethodInvocation proxy)) {
			throw new IllegalStateException("@ReadThroughAll needs a Spring AOP proxy");
		}
		try {
			return proxy.invocableClone(arguments).proceed();
		}
		catch (Throwable ex) {
			throw new MethodFailure(ex);
		}
	}

	private String @Nullable [] valueTags(ReadAllOperation read, CacheOperations operations, InvocationContext context,
			Object key, @Nullable Object value) {
		try {
			return read.valueTags(context, key, value);
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
			return null;
		}
	}

	private boolean storable(ReadAllOperation read, CacheOperations operations, InvocationContext context,
			Object key, @Nullable Object value) {
		try {
			return read.storable(context, key, value);
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
			return false;
		}
	}

	private @Nullable Predicate<@Nullable Object> unless(ReadOperation read, CacheOperations operations,
			InvocationContext context) {
		CacheExpression unless = read.unless();
		if (unless == null) {
			return null;
		}
		return (value) -> {
			// Asynchronous reads evaluate it on a pool thread, and maybe more than once.
			synchronized (context) {
				try {
					context.setResult(value);
					return !unless.isTrue(context);
				}
				catch (CacheExpressionException ex) {
					warnUncached(operations, ex);
					return false;
				}
			}
		};
	}

	private static @Nullable ValueLoader refreshLoader(MethodInvocation invocation, ReturnHandler handler) {
		if (!(invocation instanceof ProxyMethodInvocation proxy)) {
			return null;
		}
		// Cloned lazily: a refresh only happens when this call did not proceed itself.
		return () -> handler.await(proxy.invocableClone().proceed());
	}

	private void invalidateBefore(CacheOperations operations, InvocationContext context, boolean[] conditions) {
		List<InvalidateOperation> invalidations = operations.invalidations();
		for (int i = 0; i < invalidations.size(); i++) {
			InvalidateOperation invalidation = invalidations.get(i);
			if (invalidation.beforeInvocation() && conditions[i]) {
				invalidate(invalidation, operations, context);
			}
		}
	}

	private void afterReturning(CacheOperations operations, InvocationContext context, @Nullable Object result,
			boolean[] writeConditions, boolean[] invalidateConditions, long started) {
		context.setResult(result);
		List<WriteOperation> writes = operations.writes();
		for (int i = 0; i < writes.size(); i++) {
			if (writeConditions[i]) {
				write(writes.get(i), operations, context, result, started);
			}
		}
		List<InvalidateOperation> invalidations = operations.invalidations();
		for (int i = 0; i < invalidations.size(); i++) {
			if (!invalidations.get(i).beforeInvocation() && invalidateConditions[i]) {
				invalidate(invalidations.get(i), operations, context);
			}
		}
		for (CacheExpression bump : operations.bumps()) {
			try {
				String group = String.valueOf(bump.value(context));
				AfterCommit.run(() -> safely(operations, () -> this.operations.bumpVersion(group)));
			}
			catch (CacheExpressionException ex) {
				warnSkipped(operations, ex);
			}
		}
	}

	/**
	 * A {@code @WriteThrough}'s cache change, after the method (and its transaction) wrote
	 * the database; {@code started} is when the call began, so that a write-behind write of
	 * the key made since then is kept as the later one.
	 */
	private void write(WriteOperation write, CacheOperations operations, InvocationContext context,
			@Nullable Object result, long started) {
		try {
			if (write.unless() != null && write.unless().isTrue(context)) {
				return;
			}
			TieredCache cache = this.manager.getCache(write.cache());
			String key = this.keys.key(write.key(), operations, context);
			if (write.mode() == WriteMode.EVICT) {
				// The write may have created the key: the existence filter must let it through.
				AfterCommit.run(() -> safely(operations, () -> {
					cache.keyExists(key);
					cache.evictKey(key, started);
				}));
				return;
			}
			Object value = (write.value() != null) ? write.value().value(context) : result;
			String[] tags = CacheKeys.tags(write.tags(), operations.groups(), context);
			AfterCommit.run(() -> safely(operations, () -> cache.write(key, value, tags, started)));
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
		}
	}

	private void invalidate(InvalidateOperation invalidation, CacheOperations operations, InvocationContext context) {
		try {
			List<CacheExpression> expressions = invalidation.tags();
			String[] tags = new String[expressions.size()];
			for (int i = 0; i < tags.length; i++) {
				tags[i] = String.valueOf(expressions.get(i).value(context));
			}
			Runnable change = () -> safely(operations, () -> this.operations.invalidateTags(tags));
			if (invalidation.beforeInvocation()) {
				change.run();
			}
			else {
				AfterCommit.run(change);
			}
		}
		catch (CacheExpressionException ex) {
			warnSkipped(operations, ex);
		}
	}

	private void safely(CacheOperations operations, Runnable change) {
		try {
			change.run();
		}
		catch (RuntimeException ex) {
			this.warnings.warn(operations.description(), () -> "A cache update after " + operations.description()
					+ " failed (" + ex.getClass().getSimpleName() + "); the method's result is unaffected");
		}
	}

	private boolean[] conditions(List<CacheExpression> conditions, CacheOperations operations,
			InvocationContext context) {
		if (conditions.isEmpty()) {
			return NO_CONDITIONS;
		}
		boolean[] result = new boolean[conditions.size()];
		for (int i = 0; i < result.length; i++) {
			CacheExpression condition = conditions.get(i);
			try {
				result[i] = condition == null || condition.isTrue(context);
			}
			catch (CacheExpressionException ex) {
				warnSkipped(operations, ex);
			}
		}
		return result;
	}

	private void warnUncached(CacheOperations operations, CacheExpressionException ex) {
		this.warnings.warn(operations.description(), () -> ex.getMessage() + "; the call runs uncached");
	}

	private void warnSkipped(CacheOperations operations, CacheExpressionException ex) {
		this.warnings.warn(operations.description(), () -> ex.getMessage() + "; the cache update is skipped");
	}

	/** Stops the pool of Reactor reads. */
	@Override
	public void destroy() throws Exception {
		this.handlers.close();
	}

	/**
	 * One read of an asynchronous caller, run on its handler's pool, once per subscription
	 * of a publisher. The method is called at most once however often it is read: every
	 * load subscribes (or awaits) what that one call returned.
	 */
	private final class AsyncRead implements ReturnHandler.PendingRead {

		private final TieredCache cache;

		private final String key;

		private final String[] tags;

		private final @Nullable Predicate<@Nullable Object> unless;

		private final CacheOperations operations;

		private final MethodInvocation invocation;

		private final @Nullable ValueLoader refreshLoader;

		private boolean called;

		private @Nullable Object returned;

		private @Nullable Throwable failure;

		AsyncRead(TieredCache cache, String key, String[] tags,
				@Nullable Predicate<@Nullable Object> unless, CacheOperations operations, MethodInvocation invocation,
				ReturnHandler handler) {
			this.cache = cache;
			this.key = key;
			this.tags = tags;
			this.unless = unless;
			this.operations = operations;
			this.invocation = invocation;
			// Cloned now, before this call proceeds: a later subscription may refresh.
			this.refreshLoader = (cache.refreshesInBackground() && invocation instanceof ProxyMethodInvocation proxy)
					? refreshLoader(proxy.invocableClone(), handler) : null;
		}

		@Override
		public @Nullable Object readThrough(ReturnHandler.ValueAwait await) throws Throwable {
			LoaderCall loader = new LoaderCall(this::callOnce, await);
			ReadRequest request = ReadRequest.of(this.key, this.tags, loader, this.unless, this.refreshLoader);
			return TieredCacheInterceptor.this.readThrough(this.cache, request, loader, this.operations);
		}

		@Override
		public @Nullable Object uncached() throws Throwable {
			return callOnce();
		}

		private synchronized @Nullable Object callOnce() throws Throwable {
			if (!this.called) {
				this.called = true;
				try {
					this.returned = this.invocation.proceed();
				}
				catch (Throwable ex) {
					this.failure = ex;
				}
			}
			if (this.failure != null) {
				throw this.failure;
			}
			return this.returned;
		}

	}

}
