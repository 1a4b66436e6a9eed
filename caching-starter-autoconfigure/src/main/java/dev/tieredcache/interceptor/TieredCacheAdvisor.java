package dev.tieredcache.interceptor;

import java.lang.reflect.Method;
import java.util.function.Supplier;

import org.aopalliance.aop.Advice;
import org.aopalliance.intercept.MethodInterceptor;
import org.aopalliance.intercept.MethodInvocation;
import org.jspecify.annotations.Nullable;

import org.springframework.aop.Pointcut;
import org.springframework.aop.support.AbstractPointcutAdvisor;
import org.springframework.aop.support.StaticMethodMatcherPointcut;
import org.springframework.core.Ordered;

/**
 * Applies the {@link TieredCacheInterceptor} to every method that carries a cache
 * annotation. Matching parses the method's expressions, so a malformed one fails the
 * application at start-up.
 *
 * <p>Its order ({@code tiered-cache.interceptor.order}, default {@link #DEFAULT_ORDER})
 * places it outside {@code @Transactional} and Spring's own cache advice, which both run at
 * {@link Ordered#LOWEST_PRECEDENCE}: a cache hit opens no transaction and touches no
 * connection pool, and writes of a transactional method happen after its commit.
 */
public class TieredCacheAdvisor extends AbstractPointcutAdvisor {

	/** Default order: outside transaction and Spring cache advice. */
	public static final int DEFAULT_ORDER = Ordered.LOWEST_PRECEDENCE - 1000;

	private final transient MethodInterceptor advice;

	private final transient Pointcut pointcut;

	/**
	 * Creates the advisor.
	 * @param interceptor supplies the interceptor on the first advised call, so that
	 * creating the advisor (which happens early, while bean post-processors are registered)
	 * does not create the cache manager and its Redis connection before their time
	 * @param source the annotation parser the pointcut and interceptor share
	 * @param order the advisor's order
	 */
	public TieredCacheAdvisor(Supplier<TieredCacheInterceptor> interceptor, CacheOperationSource source, int order) {
		this.advice = new LazyAdvice(interceptor);
		this.pointcut = new StaticMethodMatcherPointcut() {

			@Override
			public boolean matches(Method method, Class<?> targetClass) {
				return source.get(method, targetClass) != null;
			}

		};
		setOrder(order);
	}

	@Override
	public Pointcut getPointcut() {
		return this.pointcut;
	}

	@Override
	public Advice getAdvice() {
		return this.advice;
	}

	/** Resolves the interceptor on first use. */
	private static final class LazyAdvice implements MethodInterceptor {

		private final Supplier<TieredCacheInterceptor> supplier;

		private volatile TieredCacheInterceptor interceptor;

		LazyAdvice(Supplier<TieredCacheInterceptor> supplier) {
			this.supplier = supplier;
		}

		@Override
		public @Nullable Object invoke(MethodInvocation invocation) throws Throwable {
			TieredCacheInterceptor target = this.interceptor;
			if (target == null) {
				target = this.supplier.get();
				this.interceptor = target;
			}
			return target.invoke(invocation);
		}

	}

}
